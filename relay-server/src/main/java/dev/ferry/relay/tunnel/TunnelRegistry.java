package dev.ferry.relay.tunnel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnels a running relay serves, kept in step with the {@link TunnelStore}. A tunnel whose file
 * becomes unreadable keeps being served as it was last read (its agent stays linked, its port stays
 * open), with one error logged per change of the file; a file that was never readable serves nothing.
 * Only a deleted file removes a tunnel.
 */
public final class TunnelRegistry {
    private static final Logger log = LoggerFactory.getLogger(TunnelRegistry.class);

    /** Told about every tunnel that appears or disappears. */
    public interface Listener {
        void added(Tunnel tunnel);

        void removed(Tunnel tunnel);
    }

    private final java.util.function.Supplier<TunnelStore.Snapshot> store;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, Tunnel> tunnels = Map.of();
    /** The fingerprint of each unreadable file already reported. */
    private final Map<Path, String> reported = new HashMap<>();

    public TunnelRegistry(TunnelStore store) {
        this(store::read);
    }

    /** Serves what {@code source} says (the data dir, or a node's snapshot of etcd: see {@code registry.RegistryBackend}). */
    public TunnelRegistry(java.util.function.Supplier<TunnelStore.Snapshot> source) {
        this.store = source;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Reads the store and tells listeners what changed. Safe to call from one thread at a time. */
    public synchronized void reload() {
        TunnelStore.Snapshot snapshot = store.get();
        Map<String, Tunnel> previous = tunnels;
        Map<String, Tunnel> next = new HashMap<>();
        snapshot.tunnels().forEach(t -> next.put(t.name(), t));
        Map<Path, String> stillUnreadable = new HashMap<>();
        for (TunnelStore.Unreadable u : snapshot.unreadable()) {
            Tunnel last = previous.get(u.tunnelName());
            if (last != null) {
                next.putIfAbsent(last.name(), last);
            }
            stillUnreadable.put(u.file(), u.fingerprint());
            if (!u.fingerprint().equals(reported.get(u.file()))) {
                log.error("tunnel file {} is unreadable: {}; {}", u.file(), u.reason(), last != null
                        ? "still serving tunnel " + last.name() + " as last read (FTP port " + last.ftpPort()
                                + ") until the file is fixed or removed"
                        : "tunnel " + u.tunnelName() + " is not served until the file is fixed");
            }
        }
        for (Path file : reported.keySet()) {
            if (!stillUnreadable.containsKey(file)) {
                log.info("tunnel file {} {}", file, Files.exists(file) ? "is readable again" : "was removed");
            }
        }
        reported.clear();
        reported.putAll(stillUnreadable);
        tunnels = Map.copyOf(next);
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
