package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway's output does not depend on how TCP cut its input. */
class SplitInputGatewayTest {
    private record Step(boolean fromClient, String text) {
    }

    private static final List<Step> EXCHANGE = List.of(
            new Step(false, "220-Welcome\r\n220 ready\r\n"),
            new Step(true, "USER alice\r\nPASS secret\r\n"),
            new Step(false, "331 Please specify the password.\r\n230 Login successful.\r\n"),
            new Step(true, "PASV\r\n"),
            new Step(false, "227 Entering Passive Mode (192,168,1,20,195,80).\r\n"),
            new Step(true, "EPSV\r\n"),
            new Step(false, "229 Entering Extended Passive Mode (|||50123|)\r\n"),
            new Step(true, "LIST\r\nPORT 198,51,100,10,200,1\r\nQUIT\r\n"),
            new Step(false, "150 Here comes the directory listing.\r\n226 Directory send OK.\r\n200 PORT ok\r\n221 Bye\r\n"));

    /** Runs the exchange, cutting step {@code cut} at byte {@code at} (or into single bytes if at < 0). */
    private static String[] run(int cut, int at) {
        GatewayHarness gw = new GatewayHarness();
        StringBuilder toServer = new StringBuilder();
        StringBuilder toClient = new StringBuilder();
        for (int i = 0; i < EXCHANGE.size(); i++) {
            Step step = EXCHANGE.get(i);
            List<String> pieces;
            if (i != cut) {
                pieces = List.of(step.text());
            } else if (at < 0) {
                pieces = step.text().chars().mapToObj(c -> String.valueOf((char) c)).toList();
            } else {
                pieces = List.of(step.text().substring(0, at), step.text().substring(at));
            }
            for (String piece : pieces) {
                if (step.fromClient()) {
                    toServer.append(gw.client(piece));
                    toClient.append(gw.drainOutbound());
                } else {
                    toClient.append(gw.server(piece));
                    toServer.append(gw.drainInbound());
                }
            }
        }
        assertThat(gw.finish()).isFalse();
        return new String[] {toServer.toString(), toClient.toString()};
    }

    @Test
    void everySplitPointGivesTheSameBytesAsNoSplit() {
        String[] whole = run(-1, 0);
        assertThat(whole[1]).contains("(203,0,113,7,156,65)").contains("(|||40002|)");
        assertThat(whole[0]).contains("PORT 192,0,2,10,195,80\r\n");
        for (int step = 0; step < EXCHANGE.size(); step++) {
            for (int at = 0; at <= EXCHANGE.get(step).text().length(); at++) {
                assertThat(run(step, at)).as("step %d split at %d", step, at).containsExactly(whole);
            }
            assertThat(run(step, -1)).as("step %d byte by byte", step).containsExactly(whole);
        }
    }

    private static final String CLIENT_STREAM =
            "USER alice\r\nPASS secret\r\nPASV\r\nEPSV\r\nLIST\r\nNOOP\nQUIT\r\n";
    private static final String SERVER_STREAM = "220-Welcome\r\n220 ready\r\n331 Password please.\r\n"
            + "230 Login successful.\r\n227 Entering Passive Mode (192,168,1,20,195,80).\r\n"
            + "229 Entering Extended Passive Mode (|||50123|)\r\n150 Here comes the directory listing.\r\n"
            + "226 Directory send OK.\r\n200 NOOP ok.\r\n221 Goodbye.\r\n";

    /** The whole client stream, cut at {@code c}, then the whole server stream, cut at {@code s}. */
    private static String[] pipelined(int c, int s) {
        GatewayHarness gw = new GatewayHarness();
        String toServer = gw.client(CLIENT_STREAM.substring(0, c)) + gw.client(CLIENT_STREAM.substring(c));
        String toClient = gw.server(SERVER_STREAM.substring(0, s)) + gw.server(SERVER_STREAM.substring(s));
        assertThat(gw.finish()).isFalse();
        return new String[] {toServer, toClient};
    }

    @Test
    void everySplitPointOfAPipelinedSessionInEitherDirectionGivesTheSameBytes() {
        String[] whole = pipelined(0, 0);
        assertThat(whole[0]).isEqualTo(CLIENT_STREAM);
        assertThat(whole[1]).isEqualTo(SERVER_STREAM
                .replace("(192,168,1,20,195,80)", "(203,0,113,7,156,65)").replace("(|||50123|)", "(|||40002|)"));
        for (int c = 0; c <= CLIENT_STREAM.length(); c++) {
            assertThat(pipelined(c, 0)).as("client cut at %d", c).containsExactly(whole);
        }
        for (int s = 0; s <= SERVER_STREAM.length(); s++) {
            assertThat(pipelined(0, s)).as("server cut at %d", s).containsExactly(whole);
        }
    }
}
