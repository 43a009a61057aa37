package dev.ferry.doctor;

import java.util.Optional;

/**
 * The replies a Ferry relay writes itself (rather than passing on from the FTP server behind the
 * agent), recognised by their wording and turned into a {@link Problem}. The wording lives in the
 * relay's gateway and session classes; the e2e tests run the doctor against a real relay, so a
 * changed text shows up there.
 */
final class RelayReplies {
    static final String PASV_UNREADABLE = "PASV reply unreadable";

    private RelayReplies() {
    }

    static Optional<Problem> recognise(String reply) {
        if (reply == null) {
            return Optional.empty();
        }
        String r = reply.strip();
        String quoted = Problem.answered("the relay", r);
        if (r.startsWith("421") && r.contains("is offline (its Ferry agent is not connected)")) {
            return Optional.of(new Problem("agent offline", quoted,
                    "start ferry-agent for this tunnel beside the FTP server; its log says why it cannot link (token, pin, network)"));
        }
        if (r.startsWith("421") && r.contains("cannot be reached (")) {
            return Optional.of(new Problem("upstream refused", quoted,
                    "the FTP server behind the agent is down or refuses the agent's connection: check that it runs and the agent's --upstream"));
        }
        if (r.startsWith("530") && r.contains("requires TLS")) {
            return Optional.of(new Problem("server requires TLS", quoted, "run the doctor with --tls"));
        }
        if (r.startsWith("425") && r.contains("passive reply could not be understood")) {
            return Optional.of(new Problem(PASV_UNREADABLE, quoted,
                    "the FTP server behind the agent sent a passive reply the relay cannot read (the relay logs it): fix the server's passive-mode settings"));
        }
        if (r.startsWith("425") && r.contains("no passive port available on the relay")) {
            return Optional.of(new Problem("no passive port free on the relay", quoted,
                    "every port of the relay's --passive-ports range is leased or taken by another program: widen the range or free its ports"));
        }
        if (r.startsWith("425") && r.contains("could not prepare active mode")) {
            return Optional.of(new Problem("active mode refused", quoted,
                    "the agent could not listen beside the FTP server for the server's data connection: see the agent's log"));
        }
        if (r.startsWith("421") && r.contains("Too many failed logins")) {
            return Optional.of(new Problem("login blocked", quoted,
                    "too many failed logins from this address for this tunnel: wait for --login-failure-window to pass"));
        }
        if (r.startsWith("421") && r.contains("Service not available")) {
            return Optional.of(new Problem("relay refused the session", quoted,
                    "a relay limit was reached (--max-sessions-per-ip, --max-sessions-per-tunnel)"));
        }
        return Optional.empty();
    }
}
