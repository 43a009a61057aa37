package dev.ferry.agent.admin;

import dev.ferry.link.admin.Readiness;
import dev.ferry.link.admin.Readiness.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The agent's readiness checks: {@code relay-link} (welcomed by the relay and not lost since),
 * {@code upstream} (a TCP connection to the FTP server opens, and is closed at once) and
 * {@code draining} (not stopping).
 */
public final class AgentChecks {
    /** How long {@code upstream} waits for the FTP server to accept. */
    static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(2);

    private AgentChecks() {
    }

    public static void register(Readiness readiness, String relay, BooleanSupplier linked, InetSocketAddress upstream,
            BooleanSupplier draining) {
        readiness.add("relay-link", () -> linked.getAsBoolean()
                ? Status.ok("linked to relay " + relay) : Status.failing("not linked to relay " + relay));
        readiness.add("upstream", () -> reach(upstream));
        readiness.add("draining", () -> draining.getAsBoolean()
                ? Status.failing("draining: new sessions are refused") : Status.ok("not draining"));
    }

    private static Status reach(InetSocketAddress upstream) {
        String where = upstream.getHostString() + ":" + upstream.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(upstream, (int) UPSTREAM_TIMEOUT.toMillis());
            return Status.ok("FTP server " + where + " accepts connections");
        } catch (IOException e) {
            return Status.failing("cannot connect to FTP server " + where + ": " + e.getMessage());
        }
    }
}
