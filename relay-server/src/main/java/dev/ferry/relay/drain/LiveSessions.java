package dev.ferry.relay.drain;

import io.netty.channel.Channel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's open FTP control connections, each with what ends it gracefully: a session of a
 * tunnel, or a shared-port client that has not named its tunnel yet. A connection is listed from
 * when it is served until it closes; a session that takes over a connection replaces its entry.
 * Once the relay drains, a connection listed later is drained at once.
 */
public final class LiveSessions {
    /** One listed connection. */
    public record Entry(Channel channel, String tunnel, SessionDrain drain) {
    }

    /** Told when a listed connection closes. */
    @FunctionalInterface
    public interface Listener {
        void closed(Entry entry);
    }

    private final Map<Channel, Entry> open = new ConcurrentHashMap<>();
    private volatile String drainingReason;
    private volatile Listener listener = e -> { };

    /**
     * Lists {@code channel} until it closes.
     *
     * @param tunnel the session's tunnel, or null before it is known (shared port)
     */
    public void track(Channel channel, String tunnel, SessionDrain drain) {
        Entry entry = new Entry(channel, tunnel, Objects.requireNonNull(drain, "drain"));
        Entry previous = open.put(channel, entry);
        if (previous == null) {
            channel.closeFuture().addListener(f -> {
                Entry gone = open.remove(channel);
                if (gone != null) {
                    listener.closed(gone);
                }
            });
        }
        String reason = drainingReason;
        if (reason != null) {
            drain.drain(reason);
        }
    }

    /** From now on every connection listed is drained with {@code reason}; returns those open now. */
    public List<Entry> startDraining(String reason, Listener onClosed) {
        this.listener = onClosed;
        this.drainingReason = Objects.requireNonNull(reason, "reason");
        return List.copyOf(open.values());
    }

    public boolean draining() {
        return drainingReason != null;
    }

    /** The connections open now. */
    public List<Entry> open() {
        return List.copyOf(open.values());
    }

    /** The sessions of {@code tunnel} open now. */
    public List<Entry> ofTunnel(String tunnel) {
        return open.values().stream().filter(e -> tunnel.equals(e.tunnel())).toList();
    }

    public int size() {
        return open.size();
    }
}
