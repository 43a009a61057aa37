package dev.ferry.link.admin;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the admin listener listens and where its token is kept; {@link #OFF} for no listener.
 *
 * @param listen the address and port ({@code --admin-listen}), or null when off
 * @param tokenFile the bearer token's file, generated on first start (mode 0600)
 * @param forceTls TLS even on a loopback address ({@code --admin-tls}); off a loopback address TLS is always on
 */
public record AdminSettings(InetSocketAddress listen, Path tokenFile, boolean forceTls) {
    public static final AdminSettings OFF = new AdminSettings(null, null, false);

    public AdminSettings {
        if (listen != null) {
            Objects.requireNonNull(tokenFile, "admin token file");
            if (listen.isUnresolved()) {
                throw new IllegalArgumentException("--admin-listen " + listen.getHostString() + ":" + listen.getPort()
                        + ": unknown host");
            }
        }
    }

    public boolean enabled() {
        return listen != null;
    }

    /** Whether the listener must speak TLS: off a loopback address, or when asked to. */
    public boolean tls() {
        return enabled() && (forceTls || !listen.getAddress().isLoopbackAddress());
    }
}
