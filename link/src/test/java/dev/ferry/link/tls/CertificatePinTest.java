package dev.ferry.link.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CertificatePinTest {
    private static final String HEX = "0123456789abcdef".repeat(4);

    @Test
    void parsesAndPrintsTheCanonicalForm() {
        assertThat(CertificatePin.parse("sha256:" + HEX).toString()).isEqualTo("sha256:" + HEX);
        assertThat(CertificatePin.parse("SHA256:" + HEX.toUpperCase())).isEqualTo(CertificatePin.parse("sha256:" + HEX));
    }

    @Test
    void acceptsColonSeparatedBytes() {
        String colons = HEX.replaceAll("(..)(?!$)", "$1:");
        assertThat(CertificatePin.parse("sha256:" + colons)).isEqualTo(CertificatePin.parse("sha256:" + HEX));
    }

    @Test
    void refusesWhatIsNotAPin() {
        assertThatThrownBy(() -> CertificatePin.parse(HEX)).hasMessageContaining("sha256:");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:abcd")).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> CertificatePin.parse("sha256:" + "zz".repeat(32))).hasMessageContaining("not hexadecimal");
    }
}
