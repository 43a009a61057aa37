package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PORT/EPRT: the client's own address only, ports from 1024, everything else answered by the relay. */
class ActiveModeGatewayTest {
    private final GatewayHarness gw = new GatewayHarness();

    @AfterEach
    void nothingLeftOver() {
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void portIsCheckedAndReplacedByTheAgentsAddress() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("PORT 198,51,100,10,195,80\r\n")).isEqualTo("PORT 192,0,2,10,195,80\r\n");
        assertThat(gw.activeFor).containsExactly(new InetSocketAddress("198.51.100.10", 195 * 256 + 80));
        assertThat(gw.server("200 PORT command successful.\r\n")).isEqualTo("200 PORT command successful.\r\n");
    }

    @Test
    void eprtIsCheckedAndReplaced() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("EPRT |1|198.51.100.10|50001|\r\n")).isEqualTo("EPRT |1|192.0.2.10|50000|\r\n");
        assertThat(gw.client("eprt !1!198.51.100.10!50002!\r\n")).isEqualTo("EPRT |1|192.0.2.10|50000|\r\n");
        assertThat(gw.activeFor).extracting(InetSocketAddress::getPort).containsExactly(50001, 50002);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "PORT 127,0,0,1,0,25#501 PORT must name your own address; the relay does not connect elsewhere.",
        "PORT 198,51,100,11,195,80#501 PORT must name your own address; the relay does not connect elsewhere.",
        "PORT 198,51,100,10,0,21#504 PORT to a port below 1024 is refused.",
        "PORT 198,51,100,10,256,1#501 Syntax error in PORT parameters.",
        "PORT 1,2,3#501 Syntax error in PORT parameters.",
        "EPRT |1|192.0.2.1|2121|#501 EPRT must name your own address; the relay does not connect elsewhere.",
        "EPRT |1|198.51.100.10|25|#504 EPRT to a port below 1024 is refused.",
        "EPRT |3|198.51.100.10|2121|#522 Network protocol not supported, use (1,2)",
        "EPRT |2|::1|2121|#501 EPRT must name your own address; the relay does not connect elsewhere.",
        "EPRT |1|198.51.100.10|99999|#501 Syntax error in EPRT parameters.",
        "EPRT garbage#501 Syntax error in EPRT parameters.",
        "LPRT 4,4,198,51,100,10,2,195,80#502 LPRT not supported through this relay; use PORT or EPRT.",
    })
    void bounceAndScanAttemptsAreAnsweredByTheRelayAndNeverReachTheServer(String command, String reply) {
        gw.server("220 ready\r\n");
        assertThat(gw.client(command + "\r\n")).isEmpty();
        assertThat(gw.drainOutbound()).isEqualTo(reply + "\r\n");
        assertThat(gw.activeFor).isEmpty();
    }

    @Test
    void aBouncePortAfterNoopOnABareLfIsStillCaught() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("NOOP\nPORT 127,0,0,1,0,25\r\n")).isEqualTo("NOOP\n");
        assertThat(gw.server("200 NOOP ok.\r\n")).isEqualTo(
                "200 NOOP ok.\r\n501 PORT must name your own address; the relay does not connect elsewhere.\r\n");
        assertThat(gw.activeFor).isEmpty();
    }

    @Test
    void telnetBytesInsideAPortCommandDoNotHideIt() {
        gw.server("220 ready\r\n");
        byte[] line = "P\u00ff\u00f1ORT 127,0,0,1,0,25\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(gw.client(line)).isEmpty();
        assertThat(gw.drainOutbound()).startsWith("501 PORT must name your own address");
    }

    @Test
    void commandsAfterAPortWaitForItAndKeepTheirOrder() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("PORT 198,51,100,10,195,80\r\nLIST\r\n"))
                .isEqualTo("PORT 192,0,2,10,195,80\r\nLIST\r\n");
        assertThat(gw.server("200 PORT ok\r\n150 Here it comes\r\n226 Done\r\n"))
                .isEqualTo("200 PORT ok\r\n150 Here it comes\r\n226 Done\r\n");
    }
}
