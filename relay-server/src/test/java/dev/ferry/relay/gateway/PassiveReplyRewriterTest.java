package dev.ferry.relay.gateway;

import static dev.ferry.relay.gateway.CommandKind.EPSV;
import static dev.ferry.relay.gateway.CommandKind.PASV;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassiveReplyRewriterTest {
    private final List<Integer> leasedFor = new ArrayList<>();
    private OptionalInt next = OptionalInt.of(40001);
    private final PassiveReplyRewriter rewriter = new PassiveReplyRewriter(
            (Inet4Address) GatewayHarness.address("127.0.0.5"), port -> {
                leasedFor.add(port);
                return next;
            });

    @Test
    void pasvKeepsTheWordingAndLineEnd() {
        assertThat(rewriter.rewrite(PASV, "227 Entering Passive Mode (192,168,1,20,195,80).\r\n"))
                .isEqualTo(new PassiveReplyRewriter.Result("227 Entering Passive Mode (127,0,0,5,156,65).\r\n", false));
        assertThat(rewriter.rewrite(PASV, "227 =( 10, 0,0,1 ,4,1 )\n").text()).isEqualTo("227 =(127,0,0,5,156,65)\n");
        assertThat(rewriter.rewrite(PASV, "227 (see) ok (10,0,0,1,4,1) (x)").text())
                .isEqualTo("227 (see) ok (127,0,0,5,156,65) (x)");
        assertThat(leasedFor).containsExactly(195 * 256 + 80, 1025, 1025);
    }

    @Test
    void epsvInEitherWording() {
        assertThat(rewriter.rewrite(EPSV, "229 Entering Passive Mode (|||50123|)\r\n").text())
                .isEqualTo("229 Entering Passive Mode (|||40001|)\r\n");
        assertThat(rewriter.rewrite(EPSV, "229 Entering Extended Passive Mode (|||1|).\n").text())
                .isEqualTo("229 Entering Extended Passive Mode (|||40001|).\n");
        assertThat(leasedFor).containsExactly(50123, 1);
    }

    @Test
    void a227IsScannedForItsSixNumbersAndSentStrictly() {
        assertThat(rewriter.rewrite(PASV, "227 Entering Passive Mode 192,168,1,2,195,80\r\n").text())
                .isEqualTo("227 Entering Passive Mode (127,0,0,5,156,65).\r\n");
        assertThat(rewriter.rewrite(PASV, "227 =10,0,0,1,4,1\n").text())
                .isEqualTo("227 Entering Passive Mode (127,0,0,5,156,65).\n");
        assertThat(rewriter.rewrite(PASV, "227 Passive 10, 0, 0, 1, 4, 2 (since 2.0, see docs)\r\n").text())
                .isEqualTo("227 Entering Passive Mode (127,0,0,5,156,65).\r\n");
        assertThat(rewriter.rewrite(PASV, "227 Entering Passive Mode (10,0,0,1,4,3\r\n").text())
                .isEqualTo("227 Entering Passive Mode (127,0,0,5,156,65).\r\n");
        assertThat(rewriter.rewrite(PASV, "227 Entering Passive Mode (10,0,0,1,4,4). Ready 1,2\r\n").text())
                .isEqualTo("227 Entering Passive Mode (127,0,0,5,156,65). Ready 1,2\r\n");
        assertThat(leasedFor).containsExactly(195 * 256 + 80, 1025, 1026, 1027, 1028);
    }

    @Test
    void epsvWithAnyPrintableDelimiterIsSentWithBars() {
        assertThat(rewriter.rewrite(EPSV, "229 Entering Extended Passive Mode (!!!5000!)\r\n").text())
                .isEqualTo("229 Entering Extended Passive Mode (|||40001|)\r\n");
        assertThat(rewriter.rewrite(EPSV, "229 ok (###5001#) now\n").text()).isEqualTo("229 ok (|||40001|) now\n");
        assertThat(rewriter.rewrite(EPSV, "229 ok (~~~5002~)").text()).isEqualTo("229 ok (|||40001|)");
        assertThat(leasedFor).containsExactly(5000, 5001, 5002);
    }

    @ParameterizedTest
    @ValueSource(strings = {"227 Entering Passive Mode (10,0,0,1,256,1)\r\n", "227 Entering Passive Mode 1,2,3,4,5,6,7\r\n",
        "227 Entering Passive Mode 10,0,0,1,4,1,\r\n", "227 Entering Passive Mode 9910,0,0,1,4,1\r\n",
        "227 Entering Passive Mode (10,0,0,1,0,0)\r\n", "227 Entering Passive Mode (10,0,0,1,4)\r\n",
        "227 Entering Passive Mode (10,0,0,1,4,1,7)\r\n", "227 Entering Passive Mode (999,0,0,1,4,1)\r\n",
        "227 Entering Passive Mode (a,b,c,d,e,f)\r\n", "227 Entering Passive Mode\r\n",
        "200 Entering Passive Mode (10,0,0,1,4,1)\r\n", ""})
    void unreadable227(String line) {
        assertThat(rewriter.rewrite(PASV, line)).isEqualTo(new PassiveReplyRewriter.Result(PassiveReplyRewriter.UNREADABLE, true));
        assertThat(leasedFor).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"229 Entering Extended Passive Mode (|||70000|)\r\n", "229 x (|||0|)\r\n",
        "229 x (!!|5000!)\r\n", "229 x (1115000 1)\r\n", "229 x (\t\t\t5000\t)\r\n", "229 x (|1|10.0.0.1|5000|)\r\n", "229 x (||||)\r\n", "229 x (|||123456|)\r\n",
        "229 x |||5000|\r\n", "229 x (|||-5|)\r\n"})
    void unreadable229(String line) {
        assertThat(rewriter.rewrite(EPSV, line).text()).isEqualTo(PassiveReplyRewriter.UNREADABLE);
        assertThat(leasedFor).isEmpty();
    }

    @Test
    void noPortOrABadPortFromTheSessionIs425() {
        next = OptionalInt.empty();
        assertThat(rewriter.rewrite(PASV, "227 ok (10,0,0,1,4,1)\r\n"))
                .isEqualTo(new PassiveReplyRewriter.Result(PassiveReplyRewriter.NO_PORT, true));
        next = OptionalInt.of(0);
        assertThat(rewriter.rewrite(EPSV, "229 ok (|||5000|)\r\n").text()).isEqualTo(PassiveReplyRewriter.NO_PORT);
        next = OptionalInt.of(65536);
        assertThat(rewriter.rewrite(EPSV, "229 ok (|||5000|)\r\n").text()).isEqualTo(PassiveReplyRewriter.NO_PORT);
        PassiveReplyRewriter throwing = new PassiveReplyRewriter((Inet4Address) GatewayHarness.address("127.0.0.5"),
                port -> {
                    throw new IllegalStateException("boom");
                });
        assertThat(throwing.rewrite(PASV, "227 ok (10,0,0,1,4,1)\r\n").text()).isEqualTo(PassiveReplyRewriter.NO_PORT);
    }
}
