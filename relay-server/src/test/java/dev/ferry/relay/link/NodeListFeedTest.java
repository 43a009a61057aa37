package dev.ferry.relay.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.registry.NodeState;
import dev.ferry.relay.registry.PublishedNodes;
import dev.ferry.relay.registry.RelayNode;
import dev.ferry.relay.tunnel.Tunnel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class NodeListFeedTest {
    private final List<RelayMessage> sent = new CopyOnWriteArrayList<>();
    private final ConnectedAgent agent = new ConnectedAgent(new Tunnel("a.example.net", 2121, "00".repeat(32)),
            new StreamObserver<>() {
                @Override
                public void onNext(RelayMessage value) {
                    sent.add(value);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            }, new InetSocketAddress("127.0.0.1", 1), null);

    private static RelayNode node(int i, NodeState state) {
        return new RelayNode("node-" + i, "203.0.113." + i, new HostPort("203.0.113." + i, 7835), state, "");
    }

    private List<String> lastList() {
        return sent.get(sent.size() - 1).getNodeList().getNodesList().stream()
                .map(e -> e.getId() + "@" + e.getAgentHost() + ":" + e.getAgentPort() + (e.getDraining() ? " draining" : ""))
                .toList();
    }

    @Test
    void theAgentGetsTheListAtOnceAndAgainAfterEveryChange() {
        PublishedNodes directory = new PublishedNodes();
        directory.publish(List.of(node(1, NodeState.SERVING), node(2, NodeState.SERVING)));
        NodeListFeed feed = new NodeListFeed();
        feed.start(directory, agent);
        assertThat(sent).hasSize(1);
        assertThat(lastList()).containsExactly("node-1@203.0.113.1:7835", "node-2@203.0.113.2:7835");

        feed.start(directory, agent);
        assertThat(sent).as("a second WatchNodes does not subscribe twice").hasSize(1);

        directory.publish(List.of(node(1, NodeState.SERVING), node(2, NodeState.DRAINING), node(3, NodeState.SERVING)));
        assertThat(lastList()).containsExactly("node-1@203.0.113.1:7835", "node-2@203.0.113.2:7835 draining",
                "node-3@203.0.113.3:7835");

        feed.close();
        directory.publish(List.of(node(1, NodeState.SERVING)));
        assertThat(sent).as("nothing after the call ended").hasSize(2);
    }

    @Test
    void aClosedAgentUnsubscribesOnTheNextChange() {
        PublishedNodes directory = new PublishedNodes();
        directory.publish(List.of(node(1, NodeState.SERVING)));
        NodeListFeed feed = new NodeListFeed();
        feed.start(directory, agent);
        agent.close(Status.ABORTED);
        directory.publish(List.of(node(1, NodeState.SERVING), node(2, NodeState.SERVING)));
        directory.publish(List.of(node(2, NodeState.SERVING)));
        assertThat(sent).hasSize(1);
    }
}
