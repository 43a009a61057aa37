package dev.ferry.relay.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.config.HostPort;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishedNodesTest {
    private static RelayNode node(String id) {
        return new RelayNode(id, "127.0.0.11", new HostPort("127.0.0.11", 7835), NodeState.SERVING, "");
    }

    @Test
    void listenersHearTheListNowAndEachDifferentListOnceSortedById() {
        PublishedNodes nodes = new PublishedNodes();
        nodes.publish(List.of(node("b")));
        List<List<String>> heard = new ArrayList<>();
        NodeDirectory.Subscription subscription = nodes.subscribe(l -> heard.add(l.stream().map(RelayNode::id).toList()));
        nodes.publish(List.of(node("c"), node("a"), node("b")));
        nodes.publish(List.of(node("b"), node("c"), node("a"))); // the same nodes: nothing to tell
        nodes.publish(List.of(node("a"), node("b"), node("c").withState(NodeState.DRAINING)));
        subscription.close();
        nodes.publish(List.of());
        assertThat(heard).containsExactly(List.of("b"), List.of("a", "b", "c"), List.of("a", "b", "c"));
        assertThat(nodes.nodes()).isEmpty();
    }

    @Test
    void theDataDirBackendListsItselfAlone() {
        try (DataDirBackend backend = new DataDirBackend(new dev.ferry.relay.tunnel.TunnelStore(java.nio.file.Path.of("unused")))) {
            assertThat(backend.nodeDirectory().nodes()).isEmpty();
            backend.announce(node("self"));
            backend.changeState(NodeState.DRAINING);
            assertThat(backend.nodeDirectory().nodes()).containsExactly(node("self").withState(NodeState.DRAINING));
            assertThat(backend.staleSince()).isEmpty();
        }
    }
}
