package dev.ferry.agent.nodes;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Where the relay nodes are: every address the relay name resolves to, on the agent port, looked up
 * again every {@code refresh} so nodes that join or leave the name are linked or dropped.
 *
 * @param host the relay name (or one address) from {@code --relay}
 * @param port the agent port, the same on every node
 * @param refresh how often the name is resolved again ({@code --relay-refresh})
 */
public record NodeDiscovery(String host, int port, RelayResolver resolver, Duration refresh) {
    /** How often the relay name is looked up again unless {@code --relay-refresh} says otherwise. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

    public NodeDiscovery {
        Objects.requireNonNull(host, "--relay");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(refresh, "--relay-refresh");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--relay port must be 1-65535, got " + port);
        }
        if (refresh.compareTo(Duration.ofMillis(100)) < 0 || refresh.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--relay-refresh must be between 100ms and 1h, got " + refresh);
        }
    }

    /** The system resolver, looked up again every {@link #DEFAULT_REFRESH}. */
    public static NodeDiscovery of(String host, int port) {
        return new NodeDiscovery(host, port, RelayResolver.system(), DEFAULT_REFRESH);
    }

    /** The agent endpoint of every node the name resolves to now. */
    public Set<InetSocketAddress> nodes() throws UnknownHostException {
        Set<InetSocketAddress> nodes = new LinkedHashSet<>();
        for (InetAddress address : resolver.resolve(host)) {
            nodes.add(new InetSocketAddress(address, port));
        }
        if (nodes.isEmpty()) {
            throw new UnknownHostException(host + " (no address)");
        }
        return nodes;
    }

    /** True when {@code --relay} is an address, not a name: there is one node and nothing to look up again. */
    public boolean isLiteral() {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    /**
     * How a node appears in log lines: {@code --relay} as typed for the address typed there; the name and
     * the address for an address of the name; the address and port for a node a relay listed.
     */
    public String label(InetSocketAddress node) {
        String address = node.getAddress().getHostAddress();
        if (isLiteral()) {
            return isTyped(node) ? relay() : address + ":" + node.getPort();
        }
        return relay() + " (" + address + (node.getPort() == port ? "" : ":" + node.getPort()) + ")";
    }

    private boolean isTyped(InetSocketAddress node) {
        try {
            return node.getPort() == port && node.getAddress().equals(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public String relay() {
        return host + ":" + port;
    }
}
