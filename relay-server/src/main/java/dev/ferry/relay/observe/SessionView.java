package dev.ferry.relay.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A live session as the status page shows it. */
public record SessionView(String id, String tunnel, String client, String user, String command, Instant since,
        long bytesToClient, long bytesFromClient, Optional<TransferView> transfer) {

    /** The transfer under way: bytes so far each way and for how long. */
    public record TransferView(String command, String path, TransferMode mode, long bytesToClient,
            long bytesFromClient, Duration elapsed) {

        /** Bytes per second so far, both ways together. */
        public long rate() {
            long ms = Math.max(1, elapsed.toMillis());
            return (bytesToClient + bytesFromClient) * 1000 / ms;
        }
    }
}
