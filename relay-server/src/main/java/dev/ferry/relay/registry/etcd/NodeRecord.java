package dev.ferry.relay.registry.etcd;

import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.registry.NodeState;
import dev.ferry.relay.registry.RelayNode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** A {@link RelayNode} as stored under {@code nodes/ID}: properties text, like a tunnel. */
final class NodeRecord {
    private NodeRecord() {
    }

    static byte[] format(RelayNode node) {
        Properties p = new Properties();
        p.setProperty("id", node.id());
        p.setProperty("publicAddress", node.publicAddress());
        p.setProperty("agentEndpoint", node.agentEndpoint().toString());
        p.setProperty("state", node.state().name());
        p.setProperty("pin", node.pin());
        StringWriter text = new StringWriter();
        try {
            p.store(text, "Ferry relay node");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Parses a node record; throws IllegalArgumentException naming what is wrong. */
    static RelayNode parse(byte[] bytes, String expectedId) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a properties text: " + e.getMessage(), e);
        }
        String id = required(p, "id");
        if (!id.equals(expectedId)) {
            throw new IllegalArgumentException("it names node '" + id + "', but its key says " + expectedId);
        }
        String stateText = required(p, "state");
        NodeState state;
        try {
            state = NodeState.valueOf(stateText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("state '" + stateText + "' is neither SERVING nor DRAINING", e);
        }
        return new RelayNode(id, required(p, "publicAddress"), HostPort.parse(required(p, "agentEndpoint")), state,
                p.getProperty("pin", "").strip());
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        return value.strip();
    }
}
