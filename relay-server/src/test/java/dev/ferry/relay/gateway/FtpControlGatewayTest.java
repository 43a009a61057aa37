package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FtpControlGatewayTest {
    private final GatewayHarness gw = new GatewayHarness();

    @BeforeAll
    static void paranoidLeakDetection() {
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void nothingLeftOver() {
        assertThat(gw.finish()).as("nothing left unread").isFalse();
    }

    @Test
    void pasvReplyGetsThePublicAddressAndALeasedPort() {
        assertThat(gw.server("220 vsFTPd 3.0.3\r\n")).isEqualTo("220 vsFTPd 3.0.3\r\n");
        assertThat(gw.client("PASV\r\n")).isEqualTo("PASV\r\n");
        assertThat(gw.server("227 Entering Passive Mode (192,168,1,20,195,80).\r\n"))
                .isEqualTo("227 Entering Passive Mode (203,0,113,7,156,65).\r\n");
        assertThat(gw.leasedFor).containsExactly(195 * 256 + 80);
    }

    @Test
    void epsvReplyGetsTheLeasedPortInEitherWording() {
        gw.server("220 hi\r\n");
        gw.client("EPSV\r\n");
        assertThat(gw.server("229 Entering Extended Passive Mode (|||50123|)\r\n"))
                .isEqualTo("229 Entering Extended Passive Mode (|||40001|)\r\n");
        gw.client("epsv\r\n");
        assertThat(gw.server("229 Entering Passive Mode (|||50124|)\r\n"))
                .isEqualTo("229 Entering Passive Mode (|||40002|)\r\n");
        assertThat(gw.leasedFor).containsExactly(50123, 50124);
    }

    @Test
    void pipelinedCommandsInOneWriteAndRepliesInAnother() {
        gw.server("220 ready\r\n");
        String commands = "PASV\r\nLIST\r\nPASV\r\nNLST\r\nQUIT\r\n";
        assertThat(gw.client(commands)).isEqualTo(commands);
        String replies = "227 Entering Passive Mode (10,0,0,5,4,1)\r\n"
                + "150 Here comes the directory listing.\r\n"
                + "226 Directory send OK.\r\n"
                + "227 Entering Passive Mode (10,0,0,5,4,2)\r\n"
                + "150 Here comes the list.\r\n"
                + "226 Transfer complete.\r\n"
                + "221 Goodbye.\r\n";
        assertThat(gw.server(replies)).isEqualTo(replies
                .replace("(10,0,0,5,4,1)", "(203,0,113,7,156,65)")
                .replace("(10,0,0,5,4,2)", "(203,0,113,7,156,66)"));
        assertThat(gw.leasedFor).containsExactly(1025, 1026);
    }

    @Test
    void aMultiLineReplyContaining227IsUntouched() {
        gw.server("220 ready\r\n");
        gw.client("STAT\r\n");
        String reply = "211-FTP server status:\r\n227 Entering Passive Mode (10,0,0,1,4,1)\r\n"
                + " 227 Entering Passive Mode (10,0,0,1,4,1)\r\n211 End of status\r\n";
        assertThat(gw.server(reply)).isEqualTo(reply);
        assertThat(gw.leasedFor).isEmpty();
    }

    @Test
    void aMultiLine250ReplyToCwdContainingA227LineIsUntouched() {
        gw.server("220 ready\r\n");
        gw.client("CWD /pub\r\n");
        String reply = "250-Welcome to /pub\r\n227 Entering Passive Mode (10,0,0,1,4,1)\r\n250 OK.\r\n";
        assertThat(gw.server(reply)).isEqualTo(reply);
        gw.client("PASV\r\n");
        assertThat(gw.server("227 Entering Passive Mode (10,0,0,1,4,2)\r\n"))
                .isEqualTo("227 Entering Passive Mode (203,0,113,7,156,65)\r\n");
        assertThat(gw.leasedFor).containsExactly(1026);
    }

    @Test
    void theReplyToMkdOfADirectoryNamedLikeA227IsUntouched() {
        gw.server("220 ready\r\n");
        String mkd = "MKD 227 Entering Passive Mode (1,2,3,4,5,6)\r\n";
        assertThat(gw.client(mkd)).isEqualTo(mkd);
        String reply = "257 \"/227 Entering Passive Mode (1,2,3,4,5,6)\" created\r\n";
        assertThat(gw.server(reply)).isEqualTo(reply);
        assertThat(gw.leasedFor).isEmpty();
    }

    @Test
    void a227ThatAnswersNoopIsUntouched() {
        gw.server("220 ready\r\n");
        gw.client("NOOP\r\n");
        assertThat(gw.server("227 Entering Passive Mode (10,0,0,1,4,1)\r\n"))
                .isEqualTo("227 Entering Passive Mode (10,0,0,1,4,1)\r\n");
        assertThat(gw.leasedFor).isEmpty();
    }

    @Test
    void aMultiLine227ToPasvHasOnlyItsFinalLineRewritten() {
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        assertThat(gw.server("227-Passive mode\r\n227-(9,9,9,9,9,9) is not it\r\n227 Go (10,0,0,1,4,1)\r\n"))
                .isEqualTo("227-Passive mode\r\n227-(9,9,9,9,9,9) is not it\r\n227 Go (203,0,113,7,156,65)\r\n");
        assertThat(gw.leasedFor).containsExactly(1025);
    }

    @Test
    void aSplitMultiLineGreetingAndPreliminaryRepliesKeepTheQueueInStep() {
        assertThat(gw.server("220-Welcome to Pure-FTPd.\r\n220-You are user 1.\r\n")).isEqualTo(
                "220-Welcome to Pure-FTPd.\r\n220-You are user 1.\r\n");
        assertThat(gw.server("220 Logout.\r\n")).isEqualTo("220 Logout.\r\n");
        gw.client("RETR a\r\nPASV\r\n");
        gw.server("150 Opening\r\n226 Done\r\n");
        assertThat(gw.server("227 Entering Passive Mode (10,0,0,1,4,1)\r\n")).contains("(203,0,113,7,156,65)");
    }

    @Test
    void lowerCaseBareLfAndTelnetCommandsAreStillClassified() {
        gw.server("220 ready\r\n");
        byte[] iacPasv = {(byte) 0xff, (byte) 0xf4, (byte) 0xff, (byte) 0xf2, 'p', 'a', 's', 'v', '\n'};
        assertThat(gw.client(iacPasv).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(iacPasv);
        assertThat(gw.server("227 ok (10,0,0,1,4,1)\n")).isEqualTo("227 ok (203,0,113,7,156,65)\n");
    }

    @Test
    void hostilePassiveRepliesBecome425AndLeaseNothing() {
        String[] hostile = {
            "227 Entering Passive Mode (10,0,0,1,256,1)\r\n",
            "227 Entering Passive Mode (10,0,0,1,0,0)\r\n",
            "227 Entering Passive Mode 10,0,0,1,4\r\n",
            "227 Entering Passive Mode (10,0,0,1,4)\r\n",
            "227 Entering Passive Mode (999,0,0,1,4,1)\r\n",
        };
        gw.server("220 ready\r\n");
        for (String reply : hostile) {
            gw.client("PASV\r\n");
            assertThat(gw.server(reply)).as(reply).isEqualTo(
                    "425 Can't open data connection: the FTP server's passive reply could not be understood.\r\n");
        }
        String[] hostile229 = {
            "229 Entering Extended Passive Mode (|||70000|)\r\n",
            "229 Entering Extended Passive Mode (|||0|)\r\n",
            "229 Entering Extended Passive Mode (!!|5000!)\r\n",
            "229 Entering Extended Passive Mode (|1|10.0.0.1|5000|)\r\n",
        };
        for (String reply : hostile229) {
            gw.client("EPSV\r\n");
            assertThat(gw.server(reply)).as(reply).isEqualTo(
                    "425 Can't open data connection: the FTP server's passive reply could not be understood.\r\n");
        }
        assertThat(gw.leasedFor).isEmpty();
    }

    @Test
    void noFreePassivePortIs425() {
        gw.noPorts = true;
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        assertThat(gw.server("227 Entering Passive Mode (10,0,0,1,4,1)\r\n"))
                .isEqualTo("425 Can't open data connection: no passive port available on the relay.\r\n");
    }

    @Test
    void aNonPassiveAnswerToPasvPassesUnchanged() {
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        assertThat(gw.server("500 PASV not allowed\r\n")).isEqualTo("500 PASV not allowed\r\n");
        assertThat(gw.leasedFor).isEmpty();
    }

    @Test
    void anOverlongLineIsAnswered500DroppedWholeAndTheNextCommandWorks() {
        gw.server("220 ready\r\n");
        String longLine = "SITE " + "A".repeat(4091) + "PORT 127,0,0,1,0,25" + "B".repeat(85) + "\r\n";
        assertThat(longLine.length()).isEqualTo(4200 + 2);
        assertThat(gw.client(longLine)).isEmpty();
        assertThat(gw.drainOutbound()).isEqualTo("500 Command line too long.\r\n");
        assertThat(gw.client("NOOP\r\n")).isEqualTo("NOOP\r\n");
        assertThat(gw.activeFor).isEmpty();
    }

    @Test
    void localRepliesWaitForEarlierRepliesSoPipelinedAnswersStayInOrder() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("NOOP\r\nLPSV\r\nSYST\r\n")).isEqualTo("NOOP\r\nSYST\r\n");
        assertThat(gw.drainOutbound()).isEmpty();
        assertThat(gw.server("200 NOOP ok.\r\n")).isEqualTo(
                "200 NOOP ok.\r\n502 LPSV not supported through this relay; use PASV or EPSV.\r\n");
        assertThat(gw.server("215 UNIX Type: L8\r\n")).isEqualTo("215 UNIX Type: L8\r\n");
    }

    @Test
    void afterAuthTlsIsAcceptedNothingIsParsedOrRewritten() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("AUTH TLS\r\nPASV\r\n")).isEqualTo("AUTH TLS\r\n");
        assertThat(gw.server("234 Proceed with negotiation.\r\n")).isEqualTo("234 Proceed with negotiation.\r\n");
        assertThat(gw.drainInbound()).isEqualTo("PASV\r\n");
        assertThat(gw.client("PASV\r\nCCC\r\n")).isEqualTo("PASV\r\nCCC\r\n");
        assertThat(gw.server("227 Entering Passive Mode (10,0,0,1,4,1)\r\n"))
                .isEqualTo("227 Entering Passive Mode (10,0,0,1,4,1)\r\n");
        assertThat(gw.leasedFor).isEmpty();
    }

    @Test
    void aRefusedAuthResumesParsing() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("AUTH TLS\r\nPASV\r\n")).isEqualTo("AUTH TLS\r\n");
        assertThat(gw.server("500 AUTH not understood\r\n")).isEqualTo("500 AUTH not understood\r\n");
        assertThat(gw.drainInbound()).isEqualTo("PASV\r\n");
        assertThat(gw.server("227 Entering Passive Mode (10,0,0,1,4,1)\r\n")).contains("(203,0,113,7,156,65)");
    }

    @Test
    void aClientFloodingWhileAuthIsPendingIsCutOffNotBuffered() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("AUTH TLS\r\n")).isEqualTo("AUTH TLS\r\n");
        for (int i = 0; i < 100 && gw.channel.isOpen(); i++) {
            assertThat(gw.client("X".repeat(1000))).isEmpty();
        }
        assertThat(gw.drainOutbound()).isEqualTo("421 Too much input while waiting for the server; closing.\r\n");
        assertThat(gw.channel.isOpen()).isFalse();
    }

    @Test
    void cccIsRefusedLocally() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("CCC\r\n")).isEmpty();
        assertThat(gw.drainOutbound()).startsWith("533 ");
    }

    @Test
    void loginOutcomesAreReported() {
        gw.server("220 ready\r\n");
        gw.client("USER a\r\nPASS wrong\r\n");
        gw.server("331 Password please\r\n530 Login incorrect.\r\n");
        gw.client("PASS right\r\n");
        gw.server("230 Login successful.\r\n");
        assertThat(gw.failures).isEqualTo(1);
        assertThat(gw.logins).isEqualTo(1);
    }

    @Test
    void a227WithoutParenthesesAndAn229WithAnotherDelimiterAreReadAndSentStrictly() {
        gw.server("220 ready\r\n");
        gw.client("PASV\r\n");
        assertThat(gw.server("227 Entering Passive Mode 10,0,0,1,4,1\r\n"))
                .isEqualTo("227 Entering Passive Mode (203,0,113,7,156,65).\r\n");
        gw.client("PASV\r\n");
        assertThat(gw.server("227-Here\r\n227 =10,0,0,1,4,2\r\n"))
                .isEqualTo("227-Here\r\n227 Entering Passive Mode (203,0,113,7,156,66).\r\n");
        gw.client("EPSV\r\n");
        assertThat(gw.server("229 Entering Extended Passive Mode (!!!5000!)\r\n"))
                .isEqualTo("229 Entering Extended Passive Mode (|||40003|)\r\n");
        assertThat(gw.leasedFor).containsExactly(1025, 1026, 5000);
    }

    @Test
    void pasvFromAnIpv6ClientIsAnsweredWithEpsvAdviceAndEpsvWorks() {
        GatewayHarness v6 = new GatewayHarness(h -> new FtpControlGateway(GatewayHarness.config(4096), h, h,
                GatewayHarness.address("2001:db8::10")));
        v6.server("220 ready\r\n");
        assertThat(v6.client("PASV\r\n")).isEmpty();
        assertThat(v6.drainOutbound()).isEqualTo(Ipv6PassiveFilter.USE_EPSV).contains("use EPSV");
        assertThat(v6.client("EPSV\r\n")).isEqualTo("EPSV\r\n");
        assertThat(v6.server("229 ok (|||5000|)\r\n")).isEqualTo("229 ok (|||40001|)\r\n");
        assertThat(v6.leasedFor).containsExactly(5000);
        assertThat(v6.finish()).isFalse();
    }
}
