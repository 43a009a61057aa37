package dev.ferry.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelayRepliesTest {
    @Test
    void eachOfTheRelaysOwnRepliesGetsItsPlainName() {
        assertThat(what("421 Service not available: a.example is offline (its Ferry agent is not connected).\r\n"))
                .isEqualTo("agent offline");
        assertThat(what("421 Service not available: the FTP server behind a.example cannot be reached (refused)."))
                .isEqualTo("upstream refused");
        assertThat(what("530 This server requires TLS: send AUTH TLS before logging in.")).isEqualTo("server requires TLS");
        assertThat(what("425 Can't open data connection: the FTP server's passive reply could not be understood."))
                .isEqualTo("PASV reply unreadable");
        assertThat(what("425 Can't open data connection: no passive port available on the relay."))
                .isEqualTo("no passive port free on the relay");
        assertThat(what("425 Can't open data connection: the relay could not prepare active mode."))
                .isEqualTo("active mode refused");
        assertThat(what("421 Too many failed logins from your address; try again later.")).isEqualTo("login blocked");
        assertThat(what("421 Service not available: too many sessions from your address (20).")).isEqualTo("relay refused the session");
    }

    @Test
    void theServersOwnRepliesAndLookalikesAreNotTakenForTheRelays() {
        assertThat(RelayReplies.recognise("530 Authentication failed.")).isEmpty();
        assertThat(RelayReplies.recognise("425 Can't open data connection.")).isEmpty();
        // the wording in a reply with another code (e.g. a file name in a 250) is not the relay's refusal
        assertThat(RelayReplies.recognise("250 is offline (its Ferry agent is not connected)")).isEmpty();
        assertThat(RelayReplies.recognise(null)).isEmpty();
    }

    @Test
    void theEvidenceQuotesTheReplyOnOneLine() {
        Problem p = RelayReplies.recognise("421 Service not available: a.example is offline (its Ferry agent is not connected).\r\n")
                .orElseThrow();
        assertThat(p.as("connect").line()).isEqualTo("FAIL connect: agent offline: the relay answered \"421 Service not "
                + "available: a.example is offline (its Ferry agent is not connected).\"; hint: start ferry-agent for this "
                + "tunnel beside the FTP server; its log says why it cannot link (token, pin, network)");
        assertThat(Problem.oneLine("230-Welcome\r\n230 Logged in.\r\n")).isEqualTo("230-Welcome / 230 Logged in.");
    }

    private static String what(String reply) {
        return RelayReplies.recognise(reply).orElseThrow().what();
    }
}
