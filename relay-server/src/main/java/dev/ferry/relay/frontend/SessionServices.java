package dev.ferry.relay.frontend;

import dev.ferry.relay.config.Limits;
import dev.ferry.relay.data.DataPortPool;
import dev.ferry.relay.ftps.FtpsContexts;
import dev.ferry.relay.gateway.GatewayConfig;
import dev.ferry.relay.link.PendingListens;
import dev.ferry.relay.link.PendingStreams;
import java.time.Duration;
import dev.ferry.relay.link.StreamIds;
import java.util.concurrent.atomic.AtomicLong;

/** What every session uses, shared by all of a relay's sessions. */
public record SessionServices(GatewayConfig gatewayConfig, PendingStreams pending, PendingListens listens,
        StreamIds streamIds, DataPortPool dataPorts, ActiveDialer activeDialer, Duration activeTimeout,
        Limits limits, SessionCounter sessions, LoginFailures loginFailures, AtomicLong sessionCounter,
        FtpsContexts ftps) {

    String nextSessionId() {
        return Long.toString(sessionCounter.incrementAndGet(), 36);
    }
}
