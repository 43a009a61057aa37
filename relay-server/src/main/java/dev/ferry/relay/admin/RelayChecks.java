package dev.ferry.relay.admin;

import dev.ferry.link.admin.Readiness;
import dev.ferry.link.admin.Readiness.Status;
import dev.ferry.relay.tunnel.TunnelStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The relay's readiness checks: {@code agent-endpoint} (gRPC listening), {@code tunnel-ports} (every
 * tunnel's dedicated FTP port bound), {@code tunnel-store} (every tunnel file read) and
 * {@code draining} (not stopping).
 */
public final class RelayChecks {
    private RelayChecks() {
    }

    /**
     * @param agentEndpoint where agents connect, or null when not listening
     * @param unboundPorts tunnels whose dedicated FTP port could not be bound, with the port
     * @param draining whether the relay is draining (stopping to accept sessions)
     */
    public static void register(Readiness readiness, Supplier<String> agentEndpoint,
            Supplier<Map<String, Integer>> unboundPorts, Supplier<TunnelStore.Snapshot> tunnels,
            Supplier<Optional<Instant>> registryStaleSince, Duration staleLimit, Clock clock, BooleanSupplier draining) {
        readiness.add("agent-endpoint", () -> {
            String where = agentEndpoint.get();
            return where != null ? Status.ok("listening on " + where) : Status.failing("not listening for agents");
        });
        readiness.add("tunnel-ports", () -> {
            Map<String, Integer> unbound = unboundPorts.get();
            return unbound.isEmpty() ? Status.ok("every dedicated FTP port is bound")
                    : Status.failing("cannot listen on " + unbound.entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .map(e -> "FTP port " + e.getValue() + " (tunnel " + e.getKey() + ")")
                            .collect(Collectors.joining(", ")));
        });
        readiness.add("tunnel-store", () -> {
            TunnelStore.Snapshot snapshot = tunnels.get();
            if (!snapshot.unreadable().isEmpty()) {
                TunnelStore.Unreadable u = snapshot.unreadable().get(0);
                return Status.failing(snapshot.unreadable().size() + " tunnel file(s) unreadable, e.g. " + u.file()
                        + ": " + u.reason());
            }
            return Status.ok(snapshot.tunnels().size() + " tunnel(s) read");
        });
        readiness.add("registry", () -> registryStaleSince.get()
                .filter(since -> Duration.between(since, clock.instant()).compareTo(staleLimit) > 0)
                .map(since -> Status.failing("registry unreachable since " + since + ": serving a snapshot older than "
                        + staleLimit.toSeconds() + " s"))
                .orElse(Status.ok("registry in step (or stale for less than " + staleLimit.toSeconds() + " s)")));
        readiness.add("draining", () -> draining.getAsBoolean()
                ? Status.failing("draining: new sessions are refused") : Status.ok("not draining"));
    }
}
