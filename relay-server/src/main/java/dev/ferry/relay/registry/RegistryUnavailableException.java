package dev.ferry.relay.registry;

/**
 * The registry cannot be reached (no etcd member answers, or the cluster has no leader): nothing was
 * changed. Running relays keep serving the tunnels they know; only changes are refused. The message
 * is one line that says so and names the store.
 */
public final class RegistryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
