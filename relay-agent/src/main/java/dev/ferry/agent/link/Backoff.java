package dev.ferry.agent.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Jittered exponential backoff ("full jitter"): a random delay up to a cap that doubles per failure. */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;
    private int failures;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    /** The delay before the next attempt. */
    public Duration next() {
        long cap = Math.min(max.toMillis(), initial.toMillis() << Math.min(failures, 20));
        failures++;
        return Duration.ofMillis(cap / 2 + random.nextLong(cap / 2 + 1));
    }

    public void reset() {
        failures = 0;
    }
}
