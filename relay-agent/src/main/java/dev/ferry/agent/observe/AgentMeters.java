package dev.ferry.agent.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The agent's meters, named {@code ferry_agent_*} once scraped: its link to the relay. */
public final class AgentMeters {
    private final Counter attempts;
    private final Counter reconnects;
    private final Counter welcomes;
    private final AtomicInteger up = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean attempted = new java.util.concurrent.atomic.AtomicBoolean();

    public AgentMeters(MeterRegistry registry, String version) {
        Gauge.builder("ferry.agent.build.info", () -> 1).tag("version", version)
                .description("Ferry agent build (value is always 1)").register(registry);
        Gauge.builder("ferry.agent.link.up", up, AtomicInteger::get)
                .description("Links up: relay nodes that have welcomed this agent on a link still open (1 with one relay)").register(registry);
        attempts = Counter.builder("ferry.agent.link.attempts").description("Link attempts (dials of the relay)")
                .register(registry);
        reconnects = Counter.builder("ferry.agent.link.reconnects")
                .description("Link attempts after the first: the link broke or could not be made").register(registry);
        welcomes = Counter.builder("ferry.agent.link.welcomes").description("Times the relay welcomed this agent")
                .register(registry);
    }

    /** A link attempt to some relay node starts. */
    public void attempt() {
        attempts.increment();
        if (attempted.getAndSet(true)) {
            reconnects.increment();
        }
    }

    /** The relay welcomed the agent. */
    public void welcomed() {
        welcomes.increment();
        up.incrementAndGet();
    }

    /** A link that had been welcomed ended. */
    public void ended() {
        up.decrementAndGet();
    }
}
