package dev.ferry.link;

/** Limits both ends of the agent link agree on. */
public final class LinkLimits {
    /** The largest Control or Pipe message either side accepts. */
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    private LinkLimits() {
    }
}
