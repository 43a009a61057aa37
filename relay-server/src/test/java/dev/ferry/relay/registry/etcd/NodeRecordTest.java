package dev.ferry.relay.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.registry.NodeState;
import dev.ferry.relay.registry.RelayNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NodeRecordTest {
    private final RelayNode node = new RelayNode("relay-a", "203.0.113.7", new HostPort("203.0.113.7", 7835),
            NodeState.SERVING, "sha256:abcd");

    @Test
    void aNodeReadsBackAsWritten() {
        assertThat(NodeRecord.parse(NodeRecord.format(node), "relay-a")).isEqualTo(node);
        RelayNode draining = node.withState(NodeState.DRAINING);
        assertThat(NodeRecord.parse(NodeRecord.format(draining), "relay-a")).isEqualTo(draining);
    }

    @Test
    void aRecordThatIsNotThisNodeOrIsIncompleteIsRefusedSayingWhy() {
        assertThatThrownBy(() -> NodeRecord.parse(NodeRecord.format(node), "relay-b"))
                .hasMessage("it names node 'relay-a', but its key says relay-b");
        byte[] noState = "id=relay-a\npublicAddress=203.0.113.7\nagentEndpoint=203.0.113.7:7835\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> NodeRecord.parse(noState, "relay-a")).hasMessage("'state' is missing");
        byte[] badState = "id=relay-a\npublicAddress=203.0.113.7\nagentEndpoint=203.0.113.7:7835\nstate=GONE\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> NodeRecord.parse(badState, "relay-a"))
                .hasMessage("state 'GONE' is neither SERVING nor DRAINING");
    }
}
