package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Urgent data from the client reaches the server urgent at its place in the stream: the DM of a
 * Telnet Synch before ABOR (RFC 959 4.1.3: IAC IP, then IAC DM with the DM urgent), and the LF of
 * Python's {@code FTP.abort()} line (all of "ABOR\r\n" sent urgent; the relay's read stops just
 * before the urgent byte). Nothing else becomes urgent.
 */
class UrgentDataGatewayTest {
    private static final String SYNCH_ABOR = "\u00ff\u00f4\u00ff\u00f2ABOR\r\n";
    /** What the server side receives: the bytes before the DM, the DM as urgent data, the rest. */
    private static final String SYNCH_ABOR_OUT = "\u00ff\u00f4\u00ff<URGENT f2>ABOR\r\n";

    private static GatewayHarness loggedIn() {
        GatewayHarness gw = new GatewayHarness();
        gw.showUrgent = true;
        gw.server("220 ready\r\n");
        gw.client("USER alice\r\nPASS secret\r\n");
        gw.server("331 Password please.\r\n230 Logged in.\r\n");
        return gw;
    }

    @Test
    void theDmOfASynchGoesOnAsUrgentDataBetweenWhatPrecedesAndWhatFollows() {
        GatewayHarness gw = loggedIn();
        assertThat(gw.client("RETR big.bin\r\n")).isEqualTo("RETR big.bin\r\n");
        assertThat(gw.client(SYNCH_ABOR)).isEqualTo(SYNCH_ABOR_OUT);
        assertThat(gw.server("150 Opening.\r\n426 Transfer aborted.\r\n226 ABOR successful.\r\n"))
                .isEqualTo("150 Opening.\r\n426 Transfer aborted.\r\n226 ABOR successful.\r\n");
        assertThat(gw.finish()).as("unread or unreleased buffers").isFalse();
    }

    @Test
    void everySplitOfTheSynchGivesTheSameStreamAndTheSameUrgentPlace() {
        String input = "RETR big.bin\r\n" + SYNCH_ABOR + "NOOP\r\n";
        String expected = "RETR big.bin\r\n" + SYNCH_ABOR_OUT + "NOOP\r\n";
        for (int at = 0; at <= input.length(); at++) {
            GatewayHarness gw = loggedIn();
            String out = gw.client(input.substring(0, at)) + gw.client(input.substring(at));
            assertThat(out).as("split at %d", at).isEqualTo(expected);
            assertThat(gw.finish()).isFalse();
        }
        GatewayHarness gw = loggedIn();
        StringBuilder out = new StringBuilder();
        input.chars().forEach(c -> out.append(gw.client(String.valueOf((char) c))));
        assertThat(out.toString()).as("byte by byte").isEqualTo(expected);
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void pipelinedCommandsAroundTheSynchKeepTheirOrder() {
        GatewayHarness gw = loggedIn();
        assertThat(gw.client("STOR up.bin\r\n" + SYNCH_ABOR + "NOOP\r\n" + SYNCH_ABOR + "LIST\r\n"))
                .isEqualTo("STOR up.bin\r\n" + SYNCH_ABOR_OUT + "NOOP\r\n" + SYNCH_ABOR_OUT + "LIST\r\n");
        assertThat(gw.client("\u00ff\u00f2\u00ff\u00f2ABOR\r\n")).as("two DMs, two urgent bytes")
                .isEqualTo("\u00ff<URGENT f2>\u00ff<URGENT f2>ABOR\r\n");
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void dmBytesInsideACommandNeverBecomeUrgent() {
        GatewayHarness gw = loggedIn();
        for (String line : new String[] {
                "RETR a\u00ff\u00f2b.bin\r\n",        // an unescaped IAC DM inside a filename
                "RETR \u00ff\u00f2.bin\r\n",          // right after the verb
                "STOR \u00f2\u00a0\u00b1\u00b2\r\n",  // UTF-8 lead byte F2 in a name
                "\u00ff\u00ff\u00f2ABOR\r\n",         // IAC IAC is a literal 0xFF: the F2 after it is text
                "\u00ff\u00f4ABOR\r\n",               // interrupt without Synch
                "ABOR\r\n"}) {
            assertThat(gw.client(line)).as(line).isEqualTo(line);
        }
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void aSynchHeldWhileAnActiveModeDecisionIsPendingKeepsItsPlace() {
        GatewayHarness gw = loggedIn();
        String out = gw.client("PORT 198,51,100,10,200,1\r\n" + SYNCH_ABOR);
        assertThat(out).isEqualTo("PORT 192,0,2,10,195,80\r\n" + SYNCH_ABOR_OUT);
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void theLfOfAnAborLineThatStartsAReadAfterAShortReadIsUrgent() {
        GatewayHarness gw = loggedIn();
        assertThat(gw.client("RETR big.bin\r\n")).isEqualTo("RETR big.bin\r\n");
        assertThat(gw.clientShortRead("ABOR\r")).isEmpty();
        assertThat(gw.clientShortRead("\nNOOP\r\n")).isEqualTo("ABOR\r<URGENT 0a>NOOP\r\n");
        assertThat(gw.clientShortRead("STAT\r\nab")).isEqualTo("STAT\r\n");
        assertThat(gw.clientShortRead("or\r")).isEmpty();
        assertThat(gw.clientShortRead("\n")).as("lower case too").isEqualTo("abor\r<URGENT 0a>");
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void anLfStartingAReadIsUrgentOnlyAfterAShortReadAndOnlyForAbor() {
        GatewayHarness gw = loggedIn();
        assertThat(gw.client("ABOR\r") + gw.clientShortRead("\n")).as("the read before filled its buffer")
                .isEqualTo("ABOR\r\n");
        assertThat(gw.clientShortRead("NOOP\r") + gw.clientShortRead("\n")).as("not ABOR").isEqualTo("NOOP\r\n");
        assertThat(gw.clientShortRead("RETR ABOR\r") + gw.clientShortRead("\n")).as("ABOR as an argument")
                .isEqualTo("RETR ABOR\r\n");
        assertThat(gw.clientShortRead("ABOR\r\n")).as("a whole line in one read").isEqualTo("ABOR\r\n");
        assertThat(gw.clientShortRead("AB") + gw.clientShortRead("OR\r\n")).as("the LF is not the read's first byte")
                .isEqualTo("ABOR\r\n");
        assertThat(gw.finish()).isFalse();
    }
}
