package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random input (no fuzzing engine resolved here; the seed makes every failure repeatable).
 * Invariants: nothing throws out of the pipeline, bytes that are neither an eligible reply nor an
 * active-mode or refused command pass unchanged, and no input closes the connection or leaks a buffer.
 */
class GatewayFuzzTest {
    private static final String[] VERBS = {"USER", "PASS", "NOOP", "LIST", "NLST", "RETR", "STOR", "CWD", "PWD",
        "MKD", "SIZE", "MDTM", "TYPE", "REST", "SYST", "FEAT", "OPTS", "HELP", "STAT", "SITE", "QUIT", "xyz"};
    private static final String ALPHABET = "abc XYZ 0123456789,()|-.\"'227 229 (1,2,3,4,5,6) (|||80|)\u00e9\t";

    private static String text(Random r, int max) {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(max);
        for (int i = 0; i < n; i++) {
            b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static String eol(Random r) {
        return r.nextInt(4) == 0 ? "\n" : "\r\n";
    }

    private static List<String> cut(Random r, String s) {
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int n = 1 + r.nextInt(Math.max(1, Math.min(64, s.length() - i)));
            pieces.add(s.substring(i, Math.min(s.length(), i + n)));
            i += n;
        }
        return pieces;
    }

    @Test
    void ineligibleTrafficPassesUnchangedWhateverItsShapeOrCuts() {
        Random r = new Random(20261123L);
        for (int round = 0; round < 3000; round++) {
            GatewayHarness gw = new GatewayHarness();
            StringBuilder sentByClient = new StringBuilder();
            StringBuilder sentByServer = new StringBuilder();
            StringBuilder toServer = new StringBuilder();
            StringBuilder toClient = new StringBuilder();
            String greeting = "220 " + text(r, 30) + eol(r);
            sentByServer.append(greeting);
            cut(r, greeting).forEach(p -> toClient.append(gw.server(p)));
            int exchanges = 1 + r.nextInt(8);
            for (int i = 0; i < exchanges; i++) {
                String command = VERBS[r.nextInt(VERBS.length)] + (r.nextBoolean() ? " " + text(r, 40) : "") + eol(r);
                sentByClient.append(command);
                cut(r, command).forEach(p -> toServer.append(gw.client(p)));
                int code = (1 + r.nextInt(5)) * 100 + r.nextInt(60);
                StringBuilder reply = new StringBuilder();
                if (r.nextInt(3) == 0) {
                    reply.append(code).append('-').append(text(r, 30)).append(eol(r));
                    for (int k = r.nextInt(4); k > 0; k--) {
                        reply.append(r.nextBoolean() ? code + "-" : " ").append(text(r, 50)).append(eol(r));
                    }
                }
                reply.append(code).append(' ').append(text(r, 40)).append(eol(r));
                if (code < 200) {
                    reply.append("226 ").append(text(r, 20)).append(eol(r));
                }
                sentByServer.append(reply);
                cut(r, reply.toString()).forEach(p -> toClient.append(gw.server(p)));
            }
            assertThat(toServer.toString()).as("round %d to server", round).isEqualTo(sentByClient.toString());
            assertThat(toClient.toString()).as("round %d to client", round).isEqualTo(sentByServer.toString());
            assertThat(gw.leasedFor).isEmpty();
            assertThat(gw.finish()).isFalse();
        }
    }

    @Test
    void arbitraryBytesNeverThrowCloseOrLeak() {
        Random r = new Random(7);
        for (int round = 0; round < 3000; round++) {
            GatewayHarness gw = new GatewayHarness(256);
            StringBuilder toClient = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                byte[] junk = new byte[r.nextInt(600)];
                r.nextBytes(junk);
                if (junk.length > 0 && junk[0] == FtpControlGateway.TLS_HANDSHAKE) {
                    junk[0]++; // a client that opens with a TLS record is closed on purpose (see GatewayEdgeCasesTest)
                }
                String hostile = switch (r.nextInt(6)) {
                    case 0 -> "PASV\r\n";
                    case 1 -> "EPSV\r\n";
                    case 2 -> "PORT 198,51,100,10," + r.nextInt(300) + "," + r.nextInt(300) + "\r\n";
                    case 3 -> "AUTH TLS\r\n";
                    default -> "";
                };
                if (r.nextBoolean()) {
                    gw.client(hostile.getBytes(StandardCharsets.ISO_8859_1));
                    gw.client(junk);
                } else {
                    toClient.append(gw.server(new String(junk, StandardCharsets.ISO_8859_1)));
                    toClient.append(gw.server(switch (r.nextInt(4)) {
                        case 0 -> "227 x (" + r.nextInt(300) + ",0,0,1," + r.nextInt(300) + ",1)\r\n";
                        case 1 -> "229 x (|||" + r.nextInt(70000) + "|)\r\n";
                        case 2 -> "234 go\r\n";
                        default -> "200 ok\r\n";
                    }));
                }
                toClient.append(gw.drainOutbound());
            }
            assertThat(gw.channel.isOpen()).isTrue();
            assertThat(gw.finish()).isFalse();
        }
    }

    private static final String[] PIPELINED_VERBS = {"USER", "pass", "NOOP", "List", "nlst", "RETR", "STOR", "CWD",
        "MKD", "SIZE", "TYPE", "SYST", "FEAT", "HELP", "STAT", "SITE", "EPSV ALL", "epsv all", "ABOR", "xyz", ""};

    /** A command line, sometimes with Telnet sequences around or inside its verb. */
    private static String command(Random r) {
        String verb = PIPELINED_VERBS[r.nextInt(PIPELINED_VERBS.length)];
        String telnet = switch (r.nextInt(5)) {
            case 0 -> "\u00ff\u00f4\u00ff\u00f2"; // IAC IP IAC DM
            case 1 -> "\u00ff\u00fb\u0001"; // IAC WILL ECHO
            default -> "";
        };
        boolean argument = !verb.contains(" ") && r.nextBoolean(); // "EPSV ALL x" would be an EPSV
        return telnet + verb + (argument ? " " + text(r, 40) : "") + eol(r);
    }

    @Test
    void pipelinedSessionsWithoutPassiveCommandsPassUnchangedBothWays() {
        Random r = new Random(424242L);
        for (int round = 0; round < 2000; round++) {
            GatewayHarness gw = new GatewayHarness(r.nextBoolean() ? 64 : GatewayConfig.DEFAULT_MAX_LINE_LENGTH);
            StringBuilder commands = new StringBuilder();
            StringBuilder replies = new StringBuilder("220 " + text(r, 30) + eol(r));
            int n = 1 + r.nextInt(10);
            for (int i = 0; i < n; i++) {
                commands.append(command(r));
                int code = (2 + r.nextInt(4)) * 100 + r.nextInt(60);
                if (r.nextInt(4) == 0) {
                    replies.append("150 ").append(text(r, 20)).append(eol(r));
                }
                if (r.nextInt(3) == 0) {
                    replies.append(code).append('-').append(text(r, 30)).append(eol(r));
                    replies.append(r.nextBoolean() ? "227 Entering Passive Mode (10,0,0,1,4,1)" : " 229 (|||5000|)")
                            .append(eol(r));
                }
                replies.append(code).append(' ').append(text(r, 40)).append(eol(r));
            }
            StringBuilder toServer = new StringBuilder();
            StringBuilder toClient = new StringBuilder();
            for (String piece : cut(r, commands.toString())) {
                toServer.append(gw.client(piece));
                toClient.append(gw.drainOutbound());
            }
            for (String piece : cut(r, replies.toString())) {
                toClient.append(gw.server(piece));
            }
            assertThat(toServer.toString()).as("round %d to server", round).isEqualTo(commands.toString());
            assertThat(toClient.toString()).as("round %d to client", round).isEqualTo(replies.toString());
            assertThat(gw.leasedFor).isEmpty();
            assertThat(gw.finish()).as("round %d leaks", round).isFalse();
        }
    }
}
