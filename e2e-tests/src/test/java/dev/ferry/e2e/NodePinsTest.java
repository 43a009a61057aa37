package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.agent.nodes.NodeDiscovery;
import dev.ferry.agent.nodes.NodeLink;
import dev.ferry.relay.RelayServer;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.data.PortRange;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.TunnelStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes behind one name (an injected resolver), the second with a certificate the agent's
 * pin does not match: the agent serves through the first, keeps refusing the second, and when the
 * first goes away it reconnects to it instead of taking that loss for a wrong certificate and exiting.
 */
class NodePinsTest {
    private static final String NAME = "pins.ftp.example.net";
    private static final String[] HOSTS = {"127.0.0.21", "127.0.0.22"};

    @TempDir
    Path temp;

    EmbeddedUpstream upstream;
    RelayServer good;
    RelayServer other;
    Agent agent;
    CompletableFuture<LinkOutcome> run;
    int agentPort;
    int ftpPort;
    PortRange passive;
    String token = AgentToken.generate(new SecureRandom());

    private RelayServer start(int i) throws Exception {
        Path data = Files.createDirectories(temp.resolve("node" + i));
        if (new TunnelStore(data).find(NAME).isEmpty()) {
            new TunnelStore(data).add(new dev.ferry.relay.tunnel.Tunnel(NAME, ftpPort, AgentToken.sha256Hex(token)));
        }
        return new RelayServer(RelayConfig.builder(data, RelayConfig.parsePublicAddress(HOSTS[i]))
                .bind(InetAddress.getByName(HOSTS[i])).agentListen(new HostPort(HOSTS[i], agentPort))
                .passivePorts(passive).eventLoopThreads(1).build()).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
            run.get(15, TimeUnit.SECONDS);
        }
        for (RelayServer r : new RelayServer[] {good, other}) {
            if (r != null) {
                r.close();
            }
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void aNodeWithAnotherCertificateIsRefusedWhileTheOthersServeAndTheirLossesAreNotMistakenForIt() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        Files.writeString(home.resolve("hello.txt"), "hello");
        upstream = EmbeddedUpstream.start("127.0.0.26", home);
        RelayCluster ports = new RelayCluster(Files.createDirectories(temp.resolve("ports")), 2);
        agentPort = ports.agentPort;
        ftpPort = ports.ftpPort;
        passive = new PortRange(ports.passive[0], ports.passive[1]);
        good = start(0);
        other = start(1); // generates a certificate of its own
        assertThat(other.certificate().orElseThrow().pin()).isNotEqualTo(good.certificate().orElseThrow().pin());

        try (LogCapture links = LogCapture.of(NodeLink.class)) {
            agent = new Agent(new AgentConfig("relays.example.net", agentPort, token, good.certificate().orElseThrow().pin(),
                    false, upstream.address(), 1, dev.ferry.link.LinkWindow.DEFAULT), new SecureRandom(),
                    new NodeDiscovery("relays.example.net", agentPort,
                            host -> List.of(InetAddress.getByName(HOSTS[0]), InetAddress.getByName(HOSTS[1])),
                            Duration.ofSeconds(1)));
            run = CompletableFuture.supplyAsync(agent::run);
            assertThat(agent.awaitLive(Duration.ofSeconds(30))).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> links.contains(Level.ERROR, "does not match --pin"));
            assertThat(links.lines(Level.ERROR)).first().asString().contains("(127.0.0.22)")
                    .contains("other relay nodes still serve; trying relay relays.example.net:" + agentPort
                            + " (127.0.0.22) again in 30 s");
            assertThat(list(HOSTS[0])).isEqualTo("hello.txt");

            good.close();
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> links.contains(Level.WARN, "(127.0.0.21) lost"));
            Thread.sleep(3_000); // a few failed attempts at the first node
            assertThat(run).as("a lost link to the good node is not a wrong certificate").isNotDone();

            good = start(0); // the same data dir: the same certificate
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> list(HOSTS[0]).equals("hello.txt"));
            assertThat(run).isNotDone();
            assertThat(agent.liveLinks()).isEqualTo(1);
        }
    }

    private String list(String host) throws Exception {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(10_000);
        ftp.connect(host, ftpPort);
        try {
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftp.getReplyString()).isTrue();
            ftp.enterLocalPassiveMode();
            return String.join(",", ftp.listNames());
        } finally {
            ftp.disconnect();
        }
    }
}
