package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.registry.RelayNode;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelStore;
import java.util.Comparator;
import java.util.Map;

/**
 * One node's snapshot of the registry at one etcd revision: immutable, replaced as a whole on every change.
 *
 * @param revision the etcd revision it reflects
 * @param tunnels readable tunnels by name
 * @param unreadable tunnel keys that cannot be parsed, by name
 * @param nodes live nodes by id
 */
public record RegistryView(long revision, Map<String, Tunnel> tunnels, Map<String, TunnelStore.Unreadable> unreadable,
        Map<String, RelayNode> nodes) {
    public static final RegistryView EMPTY = new RegistryView(0, Map.of(), Map.of(), Map.of());

    public RegistryView {
        tunnels = Map.copyOf(tunnels);
        unreadable = Map.copyOf(unreadable);
        nodes = Map.copyOf(nodes);
    }

    public TunnelStore.Snapshot snapshot() {
        return new TunnelStore.Snapshot(tunnels.values().stream().sorted(Comparator.comparing(Tunnel::name)).toList(),
                unreadable.values().stream().sorted(Comparator.comparing(TunnelStore.Unreadable::tunnelName)).toList());
    }
}
