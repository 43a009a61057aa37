package dev.ferry.relay.registry.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/**
 * The key layout under one prefix (default {@code /ferry/}):
 * <pre>
 *   PREFIX tunnels/DOMAIN   the tunnel (properties text, as in a tunnel file)
 *   PREFIX ports/PORT       DOMAIN: the claim on a dedicated FTP port, created with its tunnel in one transaction
 *   PREFIX nodes/NODE-ID    a live relay node (properties text), under that node's lease
 * </pre>
 */
public record EtcdKeys(String prefix) {
    public ByteSequence all() {
        return bytes(prefix);
    }

    public String tunnelsPrefix() {
        return prefix + "tunnels/";
    }

    public String portsPrefix() {
        return prefix + "ports/";
    }

    public String nodesPrefix() {
        return prefix + "nodes/";
    }

    public ByteSequence tunnel(String name) {
        return bytes(tunnelsPrefix() + name);
    }

    public ByteSequence port(int port) {
        return bytes(portsPrefix() + port);
    }

    public ByteSequence node(String id) {
        return bytes(nodesPrefix() + id);
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
