package dev.ferry.e2e;

import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** An embedded FTP server on 127.0.0.6 sharing {@code home}, published through a fresh relay and agent. */
record ServedTunnel(EmbeddedUpstream upstream, Tunnel tunnel) implements AutoCloseable {
    /** Starts the embedded server on {@code host} sharing {@code home}; {@code temp} is for its other files. */
    interface Upstream {
        EmbeddedUpstream start(String host, Path home, Path temp) throws Exception;
    }

    static ServedTunnel start(Path temp, Path home) throws Exception {
        return start(temp, home, EMBEDDED, TlsPolicy.NONE, b -> b);
    }

    /** The plain embedded server, as {@link #start(Path, Path)} starts it. */
    static final Upstream EMBEDDED = (host, dir, files) -> EmbeddedUpstream.start(host, dir);

    /** With a chosen kind of server (e.g. {@link EmbeddedUpstream#startFtps}) and relay settings. */
    static ServedTunnel start(Path temp, Path home, Upstream kind, UnaryOperator<RelayConfig.Builder> settings)
            throws Exception {
        return start(temp, home, kind, TlsPolicy.NONE, settings);
    }

    /** As {@link #start(Path, Path)}, the tunnel demanding {@code tls}, the relay adjusted by {@code settings}. */
    static ServedTunnel start(Path temp, Path home, TlsPolicy tls, UnaryOperator<RelayConfig.Builder> settings)
            throws Exception {
        return start(temp, home, EMBEDDED, tls, settings);
    }

    /** A chosen kind of server, the tunnel demanding {@code tls}, the relay adjusted by {@code settings}. */
    static ServedTunnel start(Path temp, Path home, Upstream kind, TlsPolicy tls,
            UnaryOperator<RelayConfig.Builder> settings) throws Exception {
        EmbeddedUpstream upstream = kind.start("127.0.0.6", home, temp);
        return new ServedTunnel(upstream, Tunnel.publish(upstream, upstream.address(), temp, tls, settings));
    }

    @Override
    public void close() throws Exception {
        try {
            tunnel.close();
        } finally {
            upstream.close();
        }
    }
}
