package dev.ferry.link.lifecycle;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** A program that can stop gracefully: first stop taking new work and let what runs finish, then stop. */
public interface Drainable {
    /**
     * Stops taking new work and lets running work finish for at most {@code timeout} (zero: none may
     * finish). Logs one line when it starts and one when it ends (also when {@link #stop()} cuts it
     * short). The stage completes when nothing runs any more or the timeout has passed.
     *
     * @param cause why, for the log line ("SIGTERM")
     */
    CompletionStage<?> drain(String cause, Duration timeout);

    /** Stops at once: ends whatever still runs and closes every port. Called once. */
    void stop();
}
