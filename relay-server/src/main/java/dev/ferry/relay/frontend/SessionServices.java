package dev.ferry.relay.frontend;

import dev.ferry.relay.data.DataPortPool;
import dev.ferry.relay.gateway.GatewayConfig;
import dev.ferry.relay.link.PendingStreams;
import dev.ferry.relay.link.StreamIds;
import java.util.concurrent.atomic.AtomicLong;

/** What every session uses, shared by all of a relay's sessions. */
public record SessionServices(GatewayConfig gatewayConfig, PendingStreams pending, StreamIds streamIds,
        DataPortPool dataPorts, AtomicLong sessionCounter) {

    String nextSessionId() {
        return Long.toString(sessionCounter.incrementAndGet(), 36);
    }
}
