package dev.ferry.relay.gateway;

import java.time.Duration;

/** What the gateway tells its session about the FTP conversation. Called on the channel's event loop. */
public interface SessionEvents {
    /** The client sent a complete command line. */
    default void commandReceived() {
    }

    /**
     * The server accepted AUTH (234): from now on the control connection is TLS between client and
     * server, and the gateway reads nothing of it. Nothing may be written into it any more (a close
     * must be silent), and no timer may judge it by what the gateway can no longer see (the login, commands,
     * data connections).
     */
    default void sessionOpaque() {
    }

    /** The server answered 230: the client is logged in. */
    default void loginSucceeded() {
    }

    /** The server answered 530 to USER/PASS; returns how long to hold that reply back (brute-force brake). */
    default Duration loginFailed() {
        return Duration.ZERO;
    }

    /** The client sent {@code command} (already {@link FtpCommand#forLog() redacted}: no password reaches this). */
    default void command(FtpCommand command) {
    }

    /** A preliminary (1xx) reply to {@code command} went to the client: its transfer is under way. */
    default void started(FtpCommand command, int code) {
    }

    /**
     * The final reply to {@code command} (redacted; null for the greeting or an unsolicited reply) went
     * to the client, from the server or from the gateway itself; {@code text} is its last line.
     */
    default void answered(FtpCommand command, int code, String text) {
    }

    /** The server's reply to PASV or EPSV was rewritten to the relay's address and a leased port. */
    default void passiveRewritten(CommandKind kind) {
    }

    /** The client sent too much while the relay waited for the server: it gets 421 and is closed. */
    default void tooMuchInput() {
    }

    SessionEvents NONE = new SessionEvents() {
    };
}
