package dev.ferry.relay.observe;

import java.time.Duration;
import java.time.Instant;

/** One FTP session as it ended. */
public record SessionRecord(Instant time, String sessionId, String tunnel, String client, String user,
        SessionOutcome outcome, Duration duration, int loginsFailed, int transfers, long bytesToClient,
        long bytesFromClient) {
}
