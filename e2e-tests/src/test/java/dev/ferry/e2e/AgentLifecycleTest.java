package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.agent.Agent;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.link.tls.CertificatePin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a client and an agent see when the tunnel is not whole: offline agent, bad token, wrong pin. */
class AgentLifecycleTest {
    @TempDir
    Path temp;

    EmbeddedUpstream upstream;
    Tunnel tunnel;

    @BeforeEach
    void start() throws Exception {
        upstream = EmbeddedUpstream.start("127.0.0.6", Files.createDirectories(temp.resolve("home")));
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")));
    }

    @AfterEach
    void stop() throws Exception {
        tunnel.close();
        upstream.close();
    }

    private String greeting() throws Exception {
        try (Socket s = new Socket(Tunnel.RELAY_HOST, tunnel.ftpPort)) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String line = in.readLine();
            if (line != null && line.startsWith("421")) {
                assertThat(in.readLine()).as("connection closed after 421").isNull();
            }
            return line;
        }
    }

    @Test
    void clientGets421WhileTheAgentIsOfflineAnd220OnceItIsUp() throws Exception {
        assertThat(greeting()).startsWith("421 ").contains(Tunnel.NAME).contains("offline");
        tunnel.startAgent(upstream.address());
        assertThat(greeting()).startsWith("220");
        tunnel.stopAgent();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> greeting().startsWith("421 "));
    }

    @Test
    void clientGets421WhenTheAgentCannotReachTheFtpServer() throws Exception {
        tunnel.startAgent(new java.net.InetSocketAddress("127.0.0.6", FreePorts.find("127.0.0.6")));
        assertThat(greeting()).startsWith("421 ").contains("cannot be reached");
    }

    @Test
    void removingTheTunnelClosesItsPortAndEndsItsAgentForGood() throws Exception {
        Agent agent = new Agent(tunnel.agentConfig(tunnel.token, tunnel.pin(), upstream.address()), new SecureRandom());
        CompletableFuture<LinkOutcome> run = CompletableFuture.supplyAsync(agent::run);
        assertThat(agent.awaitLive(java.time.Duration.ofSeconds(10))).isTrue();
        assertThat(new dev.ferry.relay.tunnel.TunnelStore(temp.resolve("relay")).remove(Tunnel.NAME)).isTrue();
        tunnel.relay.reloadTunnels();
        LinkOutcome outcome = run.get(20, TimeUnit.SECONDS);
        assertThat(outcome.kind()).isEqualTo(LinkOutcome.Kind.REFUSED);
        assertThat(outcome.detail()).contains("was removed");
        assertThatThrownBy(() -> new Socket(Tunnel.RELAY_HOST, tunnel.ftpPort).close())
                .isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void aRelayWithItsOwnCertificateFilesIsPinnedByThatCertificate() throws Exception {
        Path own = Files.createDirectories(temp.resolve("own-cert"));
        dev.ferry.relay.tls.RelayCertificate cert = dev.ferry.relay.tls.RelayCertificate.loadOrGenerate(own,
                new SecureRandom());
        try (Tunnel custom = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay-own")),
                b -> b.tls(cert.certFile(), cert.keyFile()))) {
            assertThat(custom.pin()).isEqualTo(cert.pin());
            custom.startAgent(upstream.address());
        }
    }

    @Test
    void theAgentCommandExitsWithStatus3OnABadToken() {
        int exit = new picocli.CommandLine(new dev.ferry.agent.cli.AgentMain()).execute("--relay",
                "127.0.0.1:" + tunnel.relay.agentPort(), "--token", "ferry_revoked", "--pin", tunnel.pin().toString(),
                "--upstream", "127.0.0.6:" + upstream.address().getPort());
        assertThat(exit).isEqualTo(dev.ferry.agent.cli.AgentMain.EXIT_REFUSED);
    }

    @Test
    void theAgentReconnectsWhenTheRelayRestartsAndTheTunnelWorksAgain() throws Exception {
        tunnel.startAgent(upstream.address());
        assertThat(greeting()).startsWith("220");
        Path data = temp.resolve("relay");
        int agentPort = tunnel.relay.agentPort();
        tunnel.relay.close();
        dev.ferry.relay.RelayServer restarted = new dev.ferry.relay.RelayServer(
                dev.ferry.relay.config.RelayConfig.builder(data, dev.ferry.relay.config.RelayConfig.parsePublicAddress(
                        Tunnel.RELAY_HOST)).bind(java.net.InetAddress.getByName(Tunnel.RELAY_HOST))
                        .agentListen(new dev.ferry.relay.config.HostPort("127.0.0.1", agentPort))
                        .passivePorts(tunnel.passivePorts).build()).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> greeting().startsWith("220"));
        } finally {
            restarted.close();
        }
    }

    @Test
    void aBadTokenEndsTheAgentWithARefusalNotARetryStorm() throws Exception {
        Agent agent = new Agent(tunnel.agentConfig("ferry_not-a-real-token", tunnel.pin(), upstream.address()),
                new SecureRandom());
        LinkOutcome outcome = CompletableFuture.supplyAsync(agent::run).get(20, TimeUnit.SECONDS);
        assertThat(outcome.kind()).isEqualTo(LinkOutcome.Kind.REFUSED);
        assertThat(outcome.detail()).contains("invalid or revoked token");
    }

    @Test
    void anAgentStartedRightAfterTunnelAddIsAcceptedWithoutWaitingForThePoll() throws Exception {
        String token = dev.ferry.relay.tunnel.AgentToken.generate(new SecureRandom());
        new dev.ferry.relay.tunnel.TunnelStore(temp.resolve("relay")).add(new dev.ferry.relay.tunnel.Tunnel(
                "fresh.example.net", FreePorts.find(Tunnel.RELAY_HOST), dev.ferry.relay.tunnel.AgentToken.sha256Hex(token)));
        Agent agent = new Agent(tunnel.agentConfig(token, tunnel.pin(), upstream.address()), new SecureRandom());
        CompletableFuture<LinkOutcome> run = CompletableFuture.supplyAsync(agent::run);
        try {
            assertThat(agent.awaitLive(java.time.Duration.ofSeconds(10))).as("welcomed: %s", run.getNow(null)).isTrue();
        } finally {
            agent.close();
            run.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRelayWhoseCertificateDoesNotMatchThePinIsRefused() throws Exception {
        CertificatePin wrong = CertificatePin.parse("sha256:" + "ab".repeat(32));
        Agent agent = new Agent(tunnel.agentConfig(tunnel.token, wrong, upstream.address()), new SecureRandom());
        LinkOutcome outcome = CompletableFuture.supplyAsync(agent::run).get(20, TimeUnit.SECONDS);
        assertThat(outcome.kind()).isEqualTo(LinkOutcome.Kind.WRONG_CERTIFICATE);
        assertThat(outcome.detail()).contains("does not match --pin");
    }
}
