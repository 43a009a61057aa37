package dev.ferry.relay.link;

import dev.ferry.link.LinkKeepalive;
import io.grpc.Status;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The live agent of each tunnel. A newer link for the same tunnel replaces the older one. */
public final class ConnectedAgents {
    private static final Logger log = LoggerFactory.getLogger(ConnectedAgents.class);
    private final Map<String, ConnectedAgent> byTunnel = new ConcurrentHashMap<>();
    private final Listener listener;

    /** Told when a tunnel's agent comes and goes (e.g. the status page's read model). */
    public interface Listener {
        void connected(ConnectedAgent agent);

        void gone(ConnectedAgent agent, String why);
    }

    public ConnectedAgents() {
        this(new Listener() {
            @Override
            public void connected(ConnectedAgent agent) {
            }

            @Override
            public void gone(ConnectedAgent agent, String why) {
            }
        });
    }

    public ConnectedAgents(Listener listener) {
        this.listener = listener;
    }

    public void connect(ConnectedAgent agent) {
        ConnectedAgent previous = byTunnel.put(agent.tunnel().name(), agent);
        log.info("tunnel {}: agent connected from {}", agent.tunnel().name(), agent.remote());
        if (previous != null && previous != agent) {
            listener.gone(previous, "replaced by a newer link");
            log.info("tunnel {}: replacing the agent link from {}", agent.tunnel().name(), previous.remote());
            previous.close(Status.ABORTED.withDescription("replaced by a newer link for tunnel " + agent.tunnel().name()));
        }
        listener.connected(agent);
    }

    public void disconnect(ConnectedAgent agent) {
        agent.markClosed();
        if (byTunnel.remove(agent.tunnel().name(), agent)) {
            log.info("tunnel {}: agent from {} disconnected", agent.tunnel().name(), agent.remote());
            listener.gone(agent, "disconnected");
        }
    }

    /**
     * The agent's link broke (reset, closed, or silent past the keepalive timeout): every call on it
     * has failed, so its transfers are reset, and new clients get 421 until it comes back.
     */
    public void lost(ConnectedAgent agent, Status status) {
        agent.markClosed();
        if (byTunnel.remove(agent.tunnel().name(), agent)) {
            log.warn("tunnel {}: agent link from {} lost ({}: closed, reset, or no answer to keepalive "
                    + "within {} s); its transfers are reset and clients get 421 until it reconnects",
                    agent.tunnel().name(), agent.remote(), describe(status),
                    LinkKeepalive.INTERVAL.plus(LinkKeepalive.RELAY_TIMEOUT).toSeconds());
            listener.gone(agent, "link lost: " + describe(status));
        }
    }

    /** gRPC reports every broken connection as "CANCELLED: client cancelled"; only other causes say more. */
    private static String describe(Status status) {
        if (status.getCode() == Status.Code.CANCELLED) {
            return "the connection broke";
        }
        return status.getDescription() == null ? status.getCode().toString()
                : status.getCode() + ": " + status.getDescription();
    }

    public Optional<ConnectedAgent> forTunnel(String name) {
        ConnectedAgent agent = byTunnel.get(name);
        return agent == null || agent.isClosed() ? Optional.empty() : Optional.of(agent);
    }

    /** The tunnel was removed: its agent is told its token is no longer valid. */
    public void revoke(String tunnelName) {
        ConnectedAgent agent = byTunnel.remove(tunnelName);
        if (agent != null) {
            listener.gone(agent, "tunnel removed");
            agent.close(Status.PERMISSION_DENIED.withDescription("tunnel " + tunnelName + " was removed from the relay"));
        }
    }

    /** Agents connected now. */
    public int size() {
        return byTunnel.size();
    }

    public void closeAll(Status status) {
        byTunnel.values().forEach(a -> a.close(status));
        byTunnel.clear();
    }
}
