package dev.ferry.e2e;

import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** An embedded FTP server on 127.0.0.6 sharing {@code home}, published through a fresh relay and agent. */
record ServedTunnel(EmbeddedUpstream upstream, Tunnel tunnel) implements AutoCloseable {

    static ServedTunnel start(Path temp, Path home) throws Exception {
        return start(temp, home, TlsPolicy.NONE, b -> b);
    }

    /** As {@link #start(Path, Path)}, the tunnel demanding {@code tls}, the relay adjusted by {@code settings}. */
    static ServedTunnel start(Path temp, Path home, TlsPolicy tls, UnaryOperator<RelayConfig.Builder> settings)
            throws Exception {
        EmbeddedUpstream upstream = EmbeddedUpstream.start("127.0.0.6", home);
        try {
            return new ServedTunnel(upstream, Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")), tls,
                    settings).startAgent(upstream.address()));
        } catch (Exception e) {
            upstream.close();
            throw e;
        }
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
