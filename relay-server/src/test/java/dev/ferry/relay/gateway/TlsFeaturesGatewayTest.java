package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay answers AUTH, PBSZ and PROT itself, so the server's FEAT reply lists them too. */
class TlsFeaturesGatewayTest {
    private final GatewayHarness gw = new GatewayHarness(harness -> new FtpControlGateway(GatewayConfig.builder()
            .publicAddress((Inet4Address) GatewayHarness.address(GatewayHarness.PUBLIC_IP)).tlsFeatures(true).build(),
            harness, harness, GatewayHarness.address(GatewayHarness.CLIENT_IP)));

    @AfterEach
    void nothingLeftOver() {
        assertThat(gw.finish()).as("nothing left unread").isFalse();
    }

    @Test
    void theFeaturesGoInFrontOfTheFinalLine() {
        gw.server("220 hi\r\n");
        gw.client("FEAT\r\n");
        assertThat(gw.server("211-Features:\r\n MDTM\r\n REST STREAM\r\n211 End\r\n"))
                .isEqualTo("211-Features:\r\n MDTM\r\n REST STREAM\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n");
    }

    @Test
    void whatTheServerListsIsNotListedTwiceAndTheNextFeatStartsAfresh() {
        gw.server("220 hi\r\n");
        gw.client("feat\r\nFEAT\r\n");
        assertThat(gw.server("211-Extensions:\r\n AUTH TLS\r\n PBSZ\r\n211 End\r\n211-Extensions:\r\n SIZE\r\n211 End\r\n"))
                .isEqualTo("211-Extensions:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n"
                        + "211-Extensions:\r\n SIZE\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n");
    }

    @Test
    void aSingleLineReplyBecomesMultiLineAndOtherRepliesPassUnchanged() {
        gw.server("220 hi\r\n");
        gw.client("FEAT\r\n");
        assertThat(gw.server("211 No features\r\n"))
                .isEqualTo("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 No features\r\n");
        gw.client("FEAT\r\n");
        assertThat(gw.server("502 FEAT not implemented\r\n")).isEqualTo("502 FEAT not implemented\r\n");
        gw.client("STAT\r\n");
        assertThat(gw.server("211-Status\r\n PBSZ\r\n211 End\r\n")).isEqualTo("211-Status\r\n PBSZ\r\n211 End\r\n");
    }

    @Test
    void aReplySplitAcrossWritesIsStillAugmentedOnce() {
        gw.server("220 hi\r\n");
        gw.client("FEAT\r\n");
        StringBuilder out = new StringBuilder();
        for (String part : new String[] {"211-Feat", "ures:\r\n UT", "F8\r\n211 E", "nd\r\n"}) {
            out.append(gw.server(part));
        }
        assertThat(out.toString()).isEqualTo("211-Features:\r\n UTF8\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n");
    }
}
