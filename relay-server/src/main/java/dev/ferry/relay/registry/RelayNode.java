package dev.ferry.relay.registry;

import dev.ferry.relay.config.HostPort;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One live relay node as the node directory lists it.
 *
 * @param id unique among the nodes sharing a registry ({@code serve --node-id}; default
 *     {@code PUBLIC-ADDRESS:AGENT-PORT})
 * @param publicAddress the IPv4 address this node writes into its rewritten PASV replies
 * @param agentEndpoint where agents dial this node
 * @param state serving or draining
 * @param pin the SHA-256 pin of the node's agent-link certificate ({@code sha256:...}), or empty when
 *     the link is plaintext ({@code --insecure})
 */
public record RelayNode(String id, String publicAddress, HostPort agentEndpoint, NodeState state, String pin) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:\\-\\[\\]]{1,128}");

    public RelayNode {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(publicAddress, "publicAddress");
        Objects.requireNonNull(agentEndpoint, "agentEndpoint");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(pin, "pin");
        validateId(id);
    }

    /** A node id: 1-128 of letters, digits, '.', '_', ':', '-', '[' and ']'. */
    public static void validateId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("--node-id '" + id
                    + "' must be 1-128 letters, digits, '.', '_', ':', '-', '[' or ']'");
        }
    }

    public RelayNode withState(NodeState next) {
        return new RelayNode(id, publicAddress, agentEndpoint, next, pin);
    }
}
