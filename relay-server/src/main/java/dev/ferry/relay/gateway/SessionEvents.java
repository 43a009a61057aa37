package dev.ferry.relay.gateway;

import java.time.Duration;

/** What the gateway tells its session about the FTP conversation. Called on the channel's event loop. */
public interface SessionEvents {
    /** The client sent a complete command line. */
    default void commandReceived() {
    }

    /** The server answered 230: the client is logged in. */
    default void loginSucceeded() {
    }

    /** The server answered 530 to USER/PASS; returns how long to hold that reply back (brute-force brake). */
    default Duration loginFailed() {
        return Duration.ZERO;
    }

    SessionEvents NONE = new SessionEvents() {
    };
}
