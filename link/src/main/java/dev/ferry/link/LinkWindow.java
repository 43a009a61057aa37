package dev.ferry.link;

/**
 * The largest HTTP/2 flow-control window one Pipe stream of the agent link may have (and the
 * connection's window). It is the most one data connection may have in flight between relay and
 * agent, so it bounds throughput on long links (a stream moves at most one window per round trip).
 * The receiver's setting governs: the relay's for downloads, the agent's for uploads. On the relay
 * a stream starts smaller and grows to it only while it drains and the memory budget allows
 * ({@link dev.ferry.link.flow.StreamWindows}).
 *
 * @param bytes the window in bytes, 64 KiB to 1 GiB
 */
public record LinkWindow(int bytes) {
    /** 16 MiB: about 140 MiB/s per connection at a 50 ms round trip (bench/RESULTS.md, long link). */
    public static final LinkWindow DEFAULT = new LinkWindow(16 << 20);
    public static final int MIN_BYTES = 64 << 10;
    public static final int MAX_BYTES = 1 << 30;

    public LinkWindow {
        if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("--link-window must be between 64KiB and 1GiB, got " + bytes + " bytes");
        }
    }

    /** Parses {@code 16MiB}, {@code 16m}, {@code 512KiB}, {@code 1GiB} or a plain number of bytes (binary units). */
    public static LinkWindow parse(String text) {
        return new LinkWindow((int) Sizes.parse("--link-window", text, MIN_BYTES, MAX_BYTES, "between 64KiB and 1GiB"));
    }

    @Override
    public String toString() {
        return Sizes.format(bytes);
    }
}
