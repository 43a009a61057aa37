package dev.ferry.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.proto.v1.NodeList;
import dev.ferry.proto.v1.RelayNodeEntry;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class NodeEntriesTest {
    private static RelayNodeEntry entry(String id, String host, int port, boolean draining) {
        return RelayNodeEntry.newBuilder().setId(id).setAgentHost(host).setAgentPort(port).setDraining(draining).build();
    }

    @Test
    void servingNodesWithAnAddressAndPortAreLinkedToOthersAreLeftOut() {
        NodeList list = NodeList.newBuilder()
                .addNodes(entry("node-1", "203.0.113.1", 7835, false))
                .addNodes(entry("node-2", "203.0.113.2", 7835, true))
                .addNodes(entry("node-3", "2001:db8::3", 7835, false))
                .addNodes(entry("node-4", "relay4.example.net", 7835, false))
                .addNodes(entry("node-5", "999.0.0.1", 7835, false))
                .addNodes(entry("node-6", "203.0.113.6", 0, false))
                .build();
        assertThat(NodeEntries.serving(list, "203.0.113.1:7835")).containsExactly(
                new InetSocketAddress("203.0.113.1", 7835), new InetSocketAddress("2001:db8::3", 7835));
    }
}
