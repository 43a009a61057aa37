package dev.ferry.relay.frontend;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Concurrent sessions per client IP and per tunnel, with the caps from {@link dev.ferry.relay.config.Limits}. */
public final class SessionCounter {
    /** How a per-IP refusal starts (the others name the tunnel). */
    public static final String PER_IP = "too many connections from your address";
    private final int perIp;
    private final int perTunnel;
    private final Map<InetAddress, Integer> byIp = new ConcurrentHashMap<>();
    private final Map<String, Integer> byTunnel = new ConcurrentHashMap<>();

    public SessionCounter(int perIp, int perTunnel) {
        this.perIp = perIp;
        this.perTunnel = perTunnel;
    }

    /** Why a new session may not start, or null if it may (and is then counted). */
    public synchronized String tryOpen(InetAddress ip, String tunnel) {
        if (byIp.getOrDefault(ip, 0) >= perIp) {
            return PER_IP + " (" + perIp + ")";
        }
        if (byTunnel.getOrDefault(tunnel, 0) >= perTunnel) {
            return "too many connections to " + tunnel + " (" + perTunnel + ")";
        }
        byIp.merge(ip, 1, Integer::sum);
        byTunnel.merge(tunnel, 1, Integer::sum);
        return null;
    }

    public synchronized void close(InetAddress ip, String tunnel) {
        closeFromIp(ip);
        leaveTunnel(tunnel);
    }

    /** The shared port counts a client against its IP at connect, before the tunnel is known: why not, or null. */
    public synchronized String tryOpenFromIp(InetAddress ip) {
        if (byIp.getOrDefault(ip, 0) >= perIp) {
            return PER_IP + " (" + perIp + ")";
        }
        byIp.merge(ip, 1, Integer::sum);
        return null;
    }

    /** ... and against the tunnel once it is known: why not, or null. */
    public synchronized String tryJoinTunnel(String tunnel) {
        if (byTunnel.getOrDefault(tunnel, 0) >= perTunnel) {
            return "too many connections to " + tunnel + " (" + perTunnel + ")";
        }
        byTunnel.merge(tunnel, 1, Integer::sum);
        return null;
    }

    public synchronized void closeFromIp(InetAddress ip) {
        byIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    public synchronized void leaveTunnel(String tunnel) {
        byTunnel.computeIfPresent(tunnel, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Sessions open now, across all tunnels. */
    public synchronized int total() {
        return byTunnel.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized int sessions(String tunnel) {
        return byTunnel.getOrDefault(tunnel, 0);
    }
}
