package dev.ferry.relay.tunnel;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The tunnels a running relay serves, kept in step with the {@link TunnelStore}. */
public final class TunnelRegistry {
    /** Told about every tunnel that appears or disappears. */
    public interface Listener {
        void added(Tunnel tunnel);

        void removed(Tunnel tunnel);
    }

    private final TunnelStore store;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, Tunnel> tunnels = Map.of();

    public TunnelRegistry(TunnelStore store) {
        this.store = store;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Reads the store and tells listeners what changed. Safe to call from one thread at a time. */
    public synchronized void reload() {
        Map<String, Tunnel> next = store.list().stream()
                .collect(Collectors.toUnmodifiableMap(Tunnel::name, Function.identity()));
        Map<String, Tunnel> previous = tunnels;
        tunnels = next;
        for (Tunnel old : previous.values()) {
            if (!old.equals(next.get(old.name()))) {
                listeners.forEach(l -> l.removed(old));
            }
        }
        for (Tunnel now : next.values()) {
            if (!now.equals(previous.get(now.name()))) {
                listeners.forEach(l -> l.added(now));
            }
        }
    }

    /** The tunnel whose token this is, compared against every tunnel in constant time each. */
    public Optional<Tunnel> authenticate(String token) {
        if (token == null || token.isEmpty() || token.length() > 256) {
            return Optional.empty();
        }
        Tunnel match = null;
        for (Tunnel t : tunnels.values()) {
            if (AgentToken.matches(token, t.tokenSha256())) {
                match = t;
            }
        }
        return Optional.ofNullable(match);
    }

    public Optional<Tunnel> find(String name) {
        return Optional.ofNullable(tunnels.get(name));
    }

    public int size() {
        return tunnels.size();
    }
}
