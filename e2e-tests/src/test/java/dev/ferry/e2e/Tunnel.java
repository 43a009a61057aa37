package dev.ferry.e2e;

import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.agent.upstream.UpstreamTls;
import dev.ferry.link.tls.CertificatePin;
import dev.ferry.relay.RelayServer;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.data.PortRange;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.TlsPolicy;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/**
 * A whole Ferry tunnel in one JVM for tests: a relay bound to {@value #RELAY_HOST} (its public
 * address too), one registered tunnel, and an agent for a given upstream FTP server, over TLS.
 */
final class Tunnel implements AutoCloseable {
    static final String RELAY_HOST = "127.0.0.5";
    static final String NAME = "test.ftp.example.net";

    final RelayServer relay;
    final int ftpPort;
    final PortRange passivePorts;
    final String token;
    private final Path dataDir;
    private final boolean ownsRelay;
    private Agent agent;
    private CompletableFuture<LinkOutcome> agentRun;

    private Tunnel(RelayServer relay, int ftpPort, PortRange passivePorts, String token, Path dataDir, boolean ownsRelay) {
        this.relay = relay;
        this.ftpPort = ftpPort;
        this.passivePorts = passivePorts;
        this.token = token;
        this.dataDir = dataDir;
        this.ownsRelay = ownsRelay;
    }

    /** Starts a relay with one tunnel; no agent yet. */
    static Tunnel startRelay(Path dataDir) throws Exception {
        return startRelay(dataDir, b -> b);
    }

    /** Starts a relay with one tunnel and settings adjusted by {@code settings}; no agent yet. */
    static Tunnel startRelay(Path dataDir, UnaryOperator<RelayConfig.Builder> settings)
            throws Exception {
        return startRelay(dataDir, TlsPolicy.NONE, settings);
    }

    /** Starts a relay with one tunnel demanding {@code tls} of FTPS clients; no agent yet. */
    static Tunnel startRelay(Path dataDir, TlsPolicy tls, UnaryOperator<RelayConfig.Builder> settings)
            throws Exception {
        return startRelay(dataDir, RELAY_HOST, tls, settings);
    }

    /** As above, the relay writing {@code publicAddress} into its passive replies (it still binds {@value #RELAY_HOST}). */
    static Tunnel startRelay(Path dataDir, String publicAddress, TlsPolicy tls,
            UnaryOperator<RelayConfig.Builder> settings) throws Exception {
        return startRelay(dataDir, publicAddress, tls, settings, dev.ferry.relay.observe.ObserveSettings.DEFAULTS);
    }

    /** As {@link #startRelay(Path, TlsPolicy, UnaryOperator)}, observing as {@code observe} says (access log, ...). */
    static Tunnel startRelay(Path dataDir, TlsPolicy tls, UnaryOperator<RelayConfig.Builder> settings,
            dev.ferry.relay.observe.ObserveSettings observe) throws Exception {
        return startRelay(dataDir, RELAY_HOST, tls, settings, observe);
    }

    static Tunnel startRelay(Path dataDir, String publicAddress, TlsPolicy tls,
            UnaryOperator<RelayConfig.Builder> settings,
            dev.ferry.relay.observe.ObserveSettings observe) throws Exception {
        int ftpPort = FreePorts.find(RELAY_HOST);
        int[] range = FreePorts.range(RELAY_HOST, 20);
        String token = AgentToken.generate(new SecureRandom());
        new TunnelStore(dataDir).add(new dev.ferry.relay.tunnel.Tunnel(NAME, ftpPort, AgentToken.sha256Hex(token), tls));
        PortRange passive = new PortRange(range[0], range[1]);
        RelayConfig config = settings.apply(RelayConfig.builder(dataDir, RelayConfig.parsePublicAddress(publicAddress))
                .bind(InetAddress.getByName(RELAY_HOST))
                .agentListen(new HostPort("127.0.0.1", 0))
                .passivePorts(passive)
                .eventLoopThreads(2))
                .build();
        RelayServer relay = new RelayServer(config,
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
                observe).start();
        return new Tunnel(relay, ftpPort, passive, token, dataDir, true);
    }

    /**
     * Registers another tunnel on this relay, reachable only on its shared port (no agent yet).
     * Closing it stops its agent and leaves the relay running.
     */
    Tunnel addSharedOnly(String name) {
        String other = AgentToken.generate(new SecureRandom());
        new TunnelStore(dataDir).add(new dev.ferry.relay.tunnel.Tunnel(name, dev.ferry.relay.tunnel.Tunnel.SHARED_ONLY,
                AgentToken.sha256Hex(other)));
        relay.reloadTunnels();
        return new Tunnel(relay, 0, passivePorts, other, dataDir, false);
    }

    /**
     * A fresh relay in {@code temp}/relay publishing the FTP server {@code upstream} at {@code address},
     * its agent welcomed; {@code upstream} is closed if that fails.
     */
    static Tunnel publish(AutoCloseable upstream, InetSocketAddress address, Path temp, TlsPolicy tls,
            UnaryOperator<RelayConfig.Builder> settings) throws Exception {
        try {
            return startRelay(Files.createDirectories(temp.resolve("relay")), tls, settings)
                    .startAgent(address);
        } catch (Exception e) {
            upstream.close();
            throw e;
        }
    }

    /** The relay's shared FTP port; the relay must have been started with {@code ftpListen}. */
    int sharedPort() {
        return relay.sharedFtpPort().orElseThrow();
    }

    /** Starts the agent for {@code upstream} and waits until the relay has welcomed it. */
    Tunnel startAgent(InetSocketAddress upstream) throws Exception {
        return startAgent(upstream, relay.agentPort());
    }

    /** Starts the agent for {@code upstream}, dialling the relay at 127.0.0.1:{@code relayPort} (a proxy, say). */
    Tunnel startAgent(InetSocketAddress upstream, int relayPort) throws Exception {
        AgentConfig direct = agentConfig(token, pin(), upstream);
        return startAgent(new AgentConfig(direct.relayHost(), relayPort, token, direct.pin(), false, upstream,
                direct.eventLoopThreads(), direct.linkWindow()));
    }

    /** Starts the agent for {@code upstream}, speaking FTPS to it ({@code --upstream-tls}), and waits until it is live. */
    Tunnel startAgent(InetSocketAddress upstream, UpstreamTls upstreamTls) throws Exception {
        AgentConfig plain = agentConfig(token, pin(), upstream);
        return startAgent(new AgentConfig(plain.relayHost(), plain.relayPort(), plain.token(), plain.pin(), plain.insecure(),
                upstream, plain.eventLoopThreads(), plain.linkWindow(), upstreamTls));
    }

    private Tunnel startAgent(AgentConfig config) throws Exception {
        agent = new Agent(config, new SecureRandom());
        agentRun = CompletableFuture.supplyAsync(agent::run);
        if (!agent.awaitLive(Duration.ofSeconds(15))) {
            throw new IllegalStateException("agent did not come up: " + agentRun.getNow(null));
        }
        return this;
    }

    /**
     * A commons-net client connected through the relay (greeting {@code 220} checked), logged in as
     * the embedded server's user, in binary mode, with 20 s timeouts. The caller disconnects it.
     */
    FTPClient login() throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.setDataTimeout(Duration.ofSeconds(20));
        ftp.connect(RELAY_HOST, ftpPort);
        if (ftp.getReplyCode() != 220 || !ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)) {
            String reply = ftp.getReplyString();
            ftp.disconnect();
            throw new IOException("could not log in through the relay: " + reply);
        }
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        return ftp;
    }

    /** The running agent (null before {@link #startAgent}). */
    Agent agent() {
        return agent;
    }

        CertificatePin pin() {
        return relay.certificate().orElseThrow().pin();
    }

    AgentConfig agentConfig(String token, CertificatePin pin, InetSocketAddress upstream) {
        return new AgentConfig("127.0.0.1", relay.agentPort(), token, pin, false, upstream, 1, dev.ferry.link.LinkWindow.DEFAULT);
    }

    void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
            agentRun.get(10, TimeUnit.SECONDS);
            agent = null;
        }
    }

    @Override
    public void close() throws Exception {
        stopAgent();
        if (ownsRelay) {
            relay.close();
        }
    }
}
