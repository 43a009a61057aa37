package dev.ferry.relay.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The relay's meters, all named {@code ferry_relay_*} once scraped. Labels are small fixed sets
 * (outcome, reason, mode, direction, cause); the tunnel name is a label only when
 * {@code perTunnel} is on ({@code serve --metrics-per-tunnel}), since every tunnel then adds series.
 */
public final class RelayMeters {
    private final MeterRegistry registry;
    private final boolean perTunnel;
    private final Timer streamOpen;

    public RelayMeters(MeterRegistry registry, boolean perTunnel, String version) {
        this.registry = registry;
        this.perTunnel = perTunnel;
        Gauge.builder("ferry.relay.build.info", () -> 1).tag("version", version)
                .description("Ferry relay build (value is always 1)").register(registry);
        this.streamOpen = Timer.builder("ferry.relay.stream.open")
                .description("From asking the agent for a connection to its stream attaching")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
                        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5))
                .register(registry);
    }

    /** Gauges read from the relay's state at each scrape. */
    public void gauges(Supplier<Number> agentsConnected, Supplier<Number> tunnelsRegistered,
            Supplier<Number> sessionsOpen, Supplier<Number> passiveInUse, Supplier<Number> passiveCapacity) {
        Gauge.builder("ferry.relay.agents.connected", agentsConnected).description("Agents with a live link").register(registry);
        Gauge.builder("ferry.relay.tunnels.online", agentsConnected).description("Tunnels whose agent is connected").register(registry);
        Gauge.builder("ferry.relay.tunnels.registered", tunnelsRegistered).description("Tunnels in the tunnel store").register(registry);
        Gauge.builder("ferry.relay.sessions.open", sessionsOpen).description("FTP sessions open now").register(registry);
        Gauge.builder("ferry.relay.passive.ports.in.use", passiveInUse).description("Passive data ports leased or joined now").register(registry);
        Gauge.builder("ferry.relay.passive.ports.capacity", passiveCapacity).description("Passive data ports in the range").register(registry);
    }

    private Tags tunnel(String tunnel, String... tags) {
        Tags t = Tags.of(tags);
        return perTunnel && tunnel != null ? t.and("tunnel", tunnel) : t;
    }

    private void count(String name, String description, String tunnel, String... tags) {
        Counter.builder(name).description(description).tags(tunnel(tunnel, tags)).register(registry).increment();
    }

    void sessionEnded(SessionRecord s) {
        count("ferry.relay.sessions", "FTP sessions ended, by outcome", s.tunnel(), "outcome", s.outcome().label());
    }

    void refused(String tunnel, RefusalReason reason) {
        count("ferry.relay.sessions.refused", "Clients refused or cut off, by reason", tunnel, "reason", reason.label());
    }

    void login(String tunnel, boolean ok) {
        count("ferry.relay.logins", "Logins the FTP server answered, by result", tunnel, "result", ok ? "ok" : "failed");
    }

    void transfer(TransferRecord t) {
        count("ferry.relay.transfers", "Data transfers, by mode and outcome", t.tunnel(),
                "mode", t.mode().label(), "outcome", t.ok() ? "ok" : "failed");
        bytes(t.tunnel(), "to_client", t.bytesToClient());
        bytes(t.tunnel(), "from_client", t.bytesFromClient());
    }

    private void bytes(String tunnel, String direction, long n) {
        Counter.builder("ferry.relay.transfer.bytes").baseUnit("bytes")
                .description("Bytes on data connections, by direction").tags(tunnel(tunnel, "direction", direction))
                .register(registry).increment(n);
    }

    void passiveRewritten(String tunnel, String command) {
        count("ferry.relay.passive.rewrites", "PASV/EPSV replies rewritten to the relay's address",
                tunnel, "command", command.toLowerCase(Locale.ROOT));
    }

    void dataFailure(String tunnel, int code, String cause) {
        count("ferry.relay.data.failures", "425/426 replies clients got, by cause", tunnel,
                "code", Integer.toString(code), "cause", cause);
    }

    void streamOpened(Duration latency) {
        streamOpen.record(latency);
    }
}
