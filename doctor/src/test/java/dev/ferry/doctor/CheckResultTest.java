package dev.ferry.doctor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckResultTest {
    @Test
    void linesAlignTheStatusAndEndWithTheHint() {
        assertThat(CheckResult.ok("PASV", "LIST answered 226 with 2 entries").line())
                .isEqualTo("OK   PASV: LIST answered 226 with 2 entries");
        assertThat(CheckResult.fail("login", "login refused: x", "check --user").line())
                .isEqualTo("FAIL login: login refused: x; hint: check --user");
        assertThat(CheckResult.skip("PORT", "login failed").line()).isEqualTo("SKIP PORT: not run (login failed)");
    }

    @Test
    void theExitCodeIsOneWhenAnyCheckFailed() {
        assertThat(TunnelDoctor.exitCode(List.of(CheckResult.ok("a", "x"), CheckResult.skip("b", "y")))).isZero();
        assertThat(TunnelDoctor.exitCode(List.of(CheckResult.ok("a", "x"), CheckResult.fail("b", "y", null)))).isEqualTo(1);
    }

    @Test
    void aTargetIsValidatedAndNeverShowsItsPassword() {
        DoctorTarget t = new DoctorTarget("203.0.113.7", 21, "a.example", true, "alice", "s3cret-pw", false, null,
                Duration.ofSeconds(5));
        assertThat(t.loginName()).isEqualTo("alice@a.example");
        assertThat(t.toString()).doesNotContain("s3cret-pw");
        assertThatThrownBy(() -> new DoctorTarget("h", 0, "a.example", false, "u", "p", false, null, Duration.ofSeconds(1)))
                .hasMessageContaining("FTP port must be 1-65535");
        assertThatThrownBy(() -> new DoctorTarget("h", 21, "a.example", false, "u\r\nDELE x", "p", false, null,
                Duration.ofSeconds(1))).hasMessageContaining("--user must be one line");
        assertThatThrownBy(() -> new DoctorTarget("h", 21, "a.example", false, "u", "p", false, null, Duration.ZERO))
                .hasMessageContaining("--timeout must be positive");
    }

    @Test
    void certificateNamesMatchExactlyOrOneWildcardLabel() {
        assertThat(CertificateNames.matches(List.of("a.example.net"), "A.Example.net")).isTrue();
        assertThat(CertificateNames.matches(List.of("*.example.net"), "a.example.net")).isTrue();
        assertThat(CertificateNames.matches(List.of("*.example.net"), "b.a.example.net")).isFalse();
        assertThat(CertificateNames.matches(List.of("203.0.113.7"), "a.example.net")).isFalse();
    }
}
