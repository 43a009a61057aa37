package dev.ferry.link.lifecycle;

import java.time.Duration;

/** {@code --drain-timeout SECONDS}: how long running transfers may take to finish after SIGTERM. */
public final class DrainTimeout {
    public static final int DEFAULT_SECONDS = 30;
    /** A day: past that a drain is a hang. */
    public static final int MAX_SECONDS = 86_400;

    private DrainTimeout() {
    }

    /** The timeout, or an error naming the flag and the bad value. */
    public static Duration ofSeconds(int seconds) {
        if (seconds < 0 || seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("--drain-timeout must be 0 (close at once) to " + MAX_SECONDS
                    + " seconds, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }
}
