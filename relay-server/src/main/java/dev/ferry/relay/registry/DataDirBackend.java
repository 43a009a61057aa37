package dev.ferry.relay.registry;

import dev.ferry.relay.tunnel.TunnelStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The registry of a single relay: tunnels in its data dir (polled), and itself as the only node. */
public final class DataDirBackend implements RegistryBackend {
    private final TunnelStore store;
    private final PublishedNodes nodes = new PublishedNodes();
    private RelayNode self;

    public DataDirBackend(TunnelStore store) {
        this.store = store;
    }

    @Override
    public RegistryStore store() {
        return store;
    }

    @Override
    public TunnelStore.Snapshot tunnels() {
        return store.read();
    }

    @Override
    public void onTunnelsChanged(Runnable onChange) {
        // the data dir is polled
    }

    @Override
    public boolean polled() {
        return true;
    }

    @Override
    public NodeDirectory nodeDirectory() {
        return nodes;
    }

    @Override
    public synchronized void announce(RelayNode node) {
        self = node;
        nodes.publish(List.of(node));
    }

    @Override
    public synchronized void changeState(NodeState state) {
        if (self != null) {
            announce(self.withState(state));
        }
    }

    @Override
    public Optional<Instant> staleSince() {
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        self = null;
        nodes.publish(List.of());
    }
}
