package dev.ferry.relay.link;

import dev.ferry.proto.v1.NodeList;
import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.proto.v1.RelayNodeEntry;
import dev.ferry.relay.registry.NodeDirectory;
import dev.ferry.relay.registry.NodeState;
import dev.ferry.relay.registry.RelayNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Answers an agent's WatchNodes: the node directory's list now and after every change, on the agent's
 * Control call, until the call ends or the agent is gone.
 */
final class NodeListFeed {
    // No lock of its own: the directory calls listeners under its lock, and a listener may close this.
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<NodeDirectory.Subscription> subscription = new AtomicReference<>();

    /** Starts sending {@code directory}'s lists to {@code agent}; a second call does nothing. */
    void start(NodeDirectory directory, ConnectedAgent agent) {
        if (!started.compareAndSet(false, true) || closed.get()) {
            return;
        }
        subscription.set(directory.subscribe(nodes -> {
            if (!agent.send(message(nodes))) {
                close();
            }
        }));
        if (closed.get()) {
            close();
        }
    }

    /** Stops sending; safe from any thread, more than once. */
    void close() {
        closed.set(true);
        NodeDirectory.Subscription s = subscription.getAndSet(null);
        if (s != null) {
            s.close();
        }
    }

    static RelayMessage message(List<RelayNode> nodes) {
        NodeList.Builder list = NodeList.newBuilder();
        for (RelayNode n : nodes) {
            list.addNodes(RelayNodeEntry.newBuilder().setId(n.id()).setAgentHost(n.agentEndpoint().host())
                    .setAgentPort(n.agentEndpoint().port()).setDraining(n.state() == NodeState.DRAINING));
        }
        return RelayMessage.newBuilder().setNodeList(list).build();
    }
}
