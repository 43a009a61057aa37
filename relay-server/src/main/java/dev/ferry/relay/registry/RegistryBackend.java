package dev.ferry.relay.registry;

import dev.ferry.relay.tunnel.TunnelStore;
import java.time.Instant;
import java.util.Optional;

/**
 * What a running relay gets from its registry: the store that takes changes, the snapshot of tunnels it
 * serves from, and the directory of live nodes. {@link DataDirBackend}: the data dir, polled, one
 * node; {@link dev.ferry.relay.registry.etcd.EtcdBackend}: etcd, watched, every node that shares it.
 */
public interface RegistryBackend extends AutoCloseable {
    /** Where tunnels are added and removed. */
    RegistryStore store();

    /**
     * The tunnels to serve now. Never blocks on the network: with etcd this is the node's snapshot,
     * kept current by a watch and served as it is while etcd cannot be reached.
     */
    TunnelStore.Snapshot tunnels();

    /**
     * Calls {@code onChange} whenever {@link #tunnels()} may have changed without being polled (etcd:
     * after each watch event). The data dir has no such signal; the relay polls it.
     */
    void onTunnelsChanged(Runnable onChange);

    /** Whether {@link #tunnels()} changes only when polled (the data dir). */
    boolean polled();

    /** The live relay nodes. */
    NodeDirectory nodeDirectory();

    /**
     * Lists this node in the directory until {@link #close()} (etcd: a key under a lease of its own, kept
     * alive, granted and put again if it ever expires).
     */
    void announce(RelayNode self);

    /** Changes this node's entry (e.g. to {@link NodeState#DRAINING}); nothing before {@link #announce}. */
    void changeState(NodeState state);

    /**
     * Since when the snapshot may be behind the store, because the store cannot be reached; empty while it
     * is in step (always, for the data dir). For {@code /readyz}.
     */
    Optional<Instant> staleSince();

    /** Withdraws this node (etcd: revokes its lease) and releases connections. */
    @Override
    void close();
}
