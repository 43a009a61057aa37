package dev.ferry.e2e;

import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For a whole test class: a temporary directory, a home folder the class fills, and a
 * {@link ServedTunnel} sharing it. Register with {@code @RegisterExtension static final}.
 */
final class TunnelFixture implements BeforeAllCallback, AfterAllCallback {
    /** Fills the served folder (and may leave other files in {@code temp}) before the tunnel starts. */
    interface Seed {
        void into(Path home, Path temp) throws Exception;
    }

    private final Seed seed;
    private final ServedTunnel.Upstream upstreamKind;
    private final TlsPolicy tls;
    private final UnaryOperator<RelayConfig.Builder> settings;
    private Path temp;
    private Path home;
    private ServedTunnel served;

    TunnelFixture(Seed seed) {
        this(seed, ServedTunnel.EMBEDDED, TlsPolicy.NONE, b -> b);
    }

    /** With a chosen kind of server and relay settings (see {@link ServedTunnel#start(Path, Path, ServedTunnel.Upstream, UnaryOperator)}). */
    TunnelFixture(Seed seed, ServedTunnel.Upstream upstreamKind, UnaryOperator<RelayConfig.Builder> settings) {
        this(seed, upstreamKind, TlsPolicy.NONE, settings);
    }

    /** The tunnel demands {@code tls} of FTPS clients; {@code settings} adjusts the relay. */
    TunnelFixture(Seed seed, TlsPolicy tls, UnaryOperator<RelayConfig.Builder> settings) {
        this(seed, ServedTunnel.EMBEDDED, tls, settings);
    }

    private TunnelFixture(Seed seed, ServedTunnel.Upstream upstreamKind, TlsPolicy tls,
            UnaryOperator<RelayConfig.Builder> settings) {
        this.seed = seed;
        this.upstreamKind = upstreamKind;
        this.tls = tls;
        this.settings = settings;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        temp = Files.createTempDirectory("ferry-e2e-");
        home = Files.createDirectories(temp.resolve("home"));
        seed.into(home, temp);
        served = ServedTunnel.start(temp, home, upstreamKind, tls, settings);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (served != null) {
                served.close();
            }
        } finally {
            deleteTree(temp);
        }
    }

    Path temp() {
        return temp;
    }

    Path home() {
        return home;
    }

    Tunnel tunnel() {
        return served.tunnel();
    }

    EmbeddedUpstream upstream() {
        return served.upstream();
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
