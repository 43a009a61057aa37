package dev.ferry.relay.drain;

import java.util.concurrent.CompletionStage;

/** What a live FTP control connection does when it is asked to end gracefully. */
@FunctionalInterface
public interface SessionDrain {
    /** RFC 959's reply to a client whose session the relay ends. */
    String CLOSING = "421 Service closing control connection";

    /**
     * Ends the session gracefully, on its own event loop: at once with a {@code 421} if no transfer
     * (or other command) is under way, else right after that command's final reply. Completes with
     * true if a transfer or command was under way when asked.
     *
     * @param reason what the 421 says after {@link #CLOSING}, e.g. "the relay is restarting"
     */
    CompletionStage<Boolean> drain(String reason);
}
