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

    /** A final (2xx-5xx) reply went to the client: the command it answered is over. */
    default void replyForwarded() {
    }

    SessionEvents NONE = new SessionEvents() {
    };
}
