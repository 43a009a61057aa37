package dev.ferry.relay.registry;

import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelConflictException;
import dev.ferry.relay.tunnel.TunnelStore;
import java.util.List;
import java.util.Optional;

/**
 * Where tunnels are registered: the data dir ({@link TunnelStore}, one relay) or etcd
 * ({@link dev.ferry.relay.registry.etcd.EtcdTunnelStore}, several relays). Both give the same
 * guarantee: two adds at once (in any process, on any node) never lose one and never give two
 * tunnels one name or one dedicated FTP port.
 */
public interface RegistryStore extends AutoCloseable {
    /**
     * Reads every tunnel in the store now (the data dir's files; a linearizable read of etcd).
     *
     * @throws RegistryUnavailableException if the store cannot be reached
     */
    TunnelStore.Snapshot read();

    /** The tunnels that can be read. */
    default List<Tunnel> list() {
        return read().tunnels();
    }

    default Optional<Tunnel> find(String name) {
        return list().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * Adds a tunnel atomically with respect to every other add and remove, running {@code admitted}
     * once the name and port are known to be free and before the tunnel becomes visible (the data dir
     * store runs it under its lock; etcd runs it before the transaction, whose loser then undoes nothing
     * shared: see {@link dev.ferry.relay.registry.etcd.EtcdTunnelStore}).
     *
     * @throws TunnelConflictException naming what is taken
     * @throws RegistryUnavailableException if the store cannot be reached: nothing was added
     */
    void add(Tunnel tunnel, Runnable admitted);

    default void add(Tunnel tunnel) {
        add(tunnel, () -> { });
    }

    /**
     * Removes a tunnel and its port claim; false if there was none by that name.
     *
     * @throws RegistryUnavailableException if the store cannot be reached: nothing was removed
     */
    boolean remove(String name);

    /** Where the store is, for messages: {@code data dir ferry-data} or {@code etcd at h1:2379,h2:2379}. */
    String describe();

    /** Releases connections; the data dir store holds none. */
    @Override
    default void close() {
    }
}
