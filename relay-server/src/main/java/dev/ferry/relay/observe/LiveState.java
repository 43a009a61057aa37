package dev.ferry.relay.observe;

import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelRegistry;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The read model behind the status page: every tunnel (online or not, its agent's address and
 * since when, sessions, bytes), the live sessions, and the last {@value #FAILURES} failures.
 * Written from event loops and the tunnel poller, read from any thread.
 */
public final class LiveState implements TunnelRegistry.Listener {
    public static final int FAILURES = 100;

    /** A tunnel as the status page shows it. */
    public record TunnelView(String name, int ftpPort, boolean online, String agentAddress, Instant connectedSince,
            int sessionsOpen, long sessionsTotal, long bytesToClient, long bytesFromClient) {
    }

    private static final class TunnelLive {
        final String name;
        volatile int ftpPort;
        volatile boolean registered;
        volatile String agentAddress;
        volatile Instant connectedSince;
        final AtomicLong sessionsTotal = new AtomicLong();
        final AtomicLong bytesToClient = new AtomicLong();
        final AtomicLong bytesFromClient = new AtomicLong();

        TunnelLive(String name) {
            this.name = name;
        }
    }

    private final Map<String, TunnelLive> tunnels = new ConcurrentSkipListMap<>();
    private final Map<String, ObservedSession> sessions = new ConcurrentHashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();

    private TunnelLive tunnel(String name) {
        return tunnels.computeIfAbsent(name, TunnelLive::new);
    }

    @Override
    public void added(Tunnel t) {
        TunnelLive live = tunnel(t.name());
        live.ftpPort = t.ftpPort();
        live.registered = true;
    }

    @Override
    public void removed(Tunnel t) {
        TunnelLive live = tunnels.get(t.name());
        if (live != null) {
            live.registered = false;
            if (live.agentAddress == null) {
                tunnels.remove(t.name(), live);
            }
        }
    }

    void agentConnected(String tunnel, String address, Instant at) {
        TunnelLive live = tunnel(tunnel);
        live.agentAddress = address;
        live.connectedSince = at;
    }

    void agentGone(String tunnel, String address) {
        TunnelLive live = tunnels.get(tunnel);
        if (live != null && address.equals(live.agentAddress)) {
            live.agentAddress = null;
            live.connectedSince = null;
        }
    }

    void opened(ObservedSession s) {
        sessions.put(s.id(), s);
        tunnel(s.tunnel()).sessionsTotal.incrementAndGet();
    }

    void ended(ObservedSession s) {
        sessions.remove(s.id());
    }

    void transferred(TransferRecord t) {
        TunnelLive live = tunnel(t.tunnel());
        live.bytesToClient.addAndGet(t.bytesToClient());
        live.bytesFromClient.addAndGet(t.bytesFromClient());
    }

    void failed(Failure f) {
        synchronized (failures) {
            failures.addFirst(f);
            while (failures.size() > FAILURES) {
                failures.removeLast();
            }
        }
    }

    /** Every known tunnel, by name. */
    public List<TunnelView> tunnels() {
        Map<String, Integer> open = new java.util.HashMap<>();
        sessions.values().forEach(s -> open.merge(s.tunnel(), 1, Integer::sum));
        List<TunnelView> out = new ArrayList<>();
        for (TunnelLive t : tunnels.values()) {
            String agent = t.agentAddress;
            out.add(new TunnelView(t.name, t.ftpPort, agent != null, agent, agent == null ? null : t.connectedSince,
                    open.getOrDefault(t.name, 0), t.sessionsTotal.get(), t.bytesToClient.get(), t.bytesFromClient.get()));
        }
        return out;
    }

    /** Agents connected now. */
    public int agentsConnected() {
        return (int) tunnels.values().stream().filter(t -> t.agentAddress != null).count();
    }

    /** The live sessions, by tunnel then age. */
    public List<SessionView> sessions() {
        return sessions.values().stream().map(ObservedSession::view)
                .sorted(Comparator.comparing(SessionView::tunnel).thenComparing(SessionView::since))
                .toList();
    }

    /** The last failures, newest first. */
    public List<Failure> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }
}
