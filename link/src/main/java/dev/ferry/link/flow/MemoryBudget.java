package dev.ferry.link.flow;

import dev.ferry.link.Sizes;
import io.netty.util.internal.PlatformDependent;

/**
 * The buffer memory one end of the agent link may spend on data it has received and not yet
 * delivered ({@code --memory-budget}). It bounds what stalled readers can make the process hold:
 * the sum of the HTTP/2 stream windows it grants stays under half of it, because a received byte
 * that waits costs up to about two bytes of direct memory (it pins part of the larger read buffer it
 * arrived in).
 *
 * @param bytes the budget, 16 MiB up to the JVM's direct memory limit
 */
public record MemoryBudget(long bytes) {
    public static final long MIN_BYTES = 16L << 20;
    /** Direct memory per byte held for a stalled reader, measured: 23–27 MiB for a 16 MiB window. */
    static final int BYTES_PER_WINDOW_BYTE = 2;

    public MemoryBudget {
        if (bytes < MIN_BYTES) {
            throw new IllegalArgumentException("--memory-budget must be at least 16MiB, got " + Sizes.format(bytes));
        }
    }

    /** Half of the direct memory the JVM allows ({@code -XX:MaxDirectMemorySize}, else the heap limit). */
    public static MemoryBudget defaultFor(long maxDirectMemory) {
        return new MemoryBudget(Math.max(MIN_BYTES, maxDirectMemory / 2));
    }

    /** The default for this JVM: half of what Netty may allocate as direct memory. */
    public static MemoryBudget forThisProcess() {
        return defaultFor(PlatformDependent.maxDirectMemory());
    }

    /** Parses {@code --memory-budget} against this JVM's direct memory limit. */
    public static MemoryBudget parse(String text) {
        return parse(text, PlatformDependent.maxDirectMemory());
    }

    /**
     * Parses {@code --memory-budget}; it must leave room under {@code maxDirectMemory} for
     * everything else, so it may be at most that limit.
     */
    public static MemoryBudget parse(String text, long maxDirectMemory) {
        long max = Math.max(MIN_BYTES, maxDirectMemory);
        return new MemoryBudget(Sizes.parse("--memory-budget", text, MIN_BYTES, max,
                "between 16MiB and the JVM's direct memory limit " + Sizes.format(max)
                        + " (raise it with -XX:MaxDirectMemorySize)"));
    }

    /** What the windows of all streams together may add up to. */
    public long windowBytes() {
        return bytes / BYTES_PER_WINDOW_BYTE;
    }

    @Override
    public String toString() {
        return Sizes.format(bytes);
    }
}
