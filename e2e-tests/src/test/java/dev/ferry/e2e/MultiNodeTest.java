package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three relay nodes behind one name (three A records: a hosts file given to the agent's JVM with
 * {@code -Djdk.net.hosts.file}), one agent linked to every node, the real launchers as processes.
 * A client on each node downloads the same file; node 2 is killed with SIGKILL mid-transfer and
 * restarted; a node that joins the name is linked to by itself.
 */
class MultiNodeTest {
    private static final String RELAY_NAME = "relays.ferry.test";
    private static final String UPSTREAM_HOST = "127.0.0.26";
    /** 100 MiB as issue 12 asks; {@code -Dferry.multinode.mib=8} while developing. */
    private static final long SIZE = Long.getLong("ferry.multinode.mib", 100) << 20;

    @TempDir
    Path temp;

    EmbeddedUpstream upstream;
    RelayCluster cluster;
    FerryJar agent;
    Path hosts;
    String sha;

    @BeforeEach
    void start() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        sha = Checksums.sha256(Checksums.randomFile(home.resolve(NodeClients.FILE), SIZE, 12));
        upstream = EmbeddedUpstream.start(UPSTREAM_HOST, home);
        cluster = new RelayCluster(Files.createDirectories(temp.resolve("cluster")), 3).start();
        hosts = temp.resolve("hosts");
    }

    private void startAgent(int... nodes) throws IOException {
        Files.writeString(hosts, RelayCluster.hostsLines(RELAY_NAME, nodes));
        agent = FerryJar.start(temp.resolve("agent.log"), FerryJar.AGENT, List.of("-Djdk.net.hosts.file=" + hosts),
                List.of("--relay", RELAY_NAME + ":" + cluster.agentPort, "--token", cluster.token, "--pin", cluster.pin,
                        "--upstream", UPSTREAM_HOST + ":" + upstream.address().getPort(), "--relay-refresh", "1s"));
        for (int n : nodes) {
            awaitLinked(n, 1);
        }
    }

    private void awaitLinked(int node, long links) {
        cluster.awaitLinked(agent, node, links);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            upstream.close();
        }
    }

    private String download(int node) throws IOException {
        return NodeClients.download(cluster, node);
    }

    @Test
    void aClientOnEachNodeDownloadsTheSameBytesAndKillingOneNodeLeavesTheOthersServing() throws Exception {
        startAgent(1, 2, 3);

        List<CompletableFuture<String>> each = List.of(1, 2, 3).stream()
                .map(n -> CompletableFuture.supplyAsync(() -> uncheckedDownload(n))).toList();
        for (CompletableFuture<String> sum : each) {
            assertThat(sum.get(300, TimeUnit.SECONDS)).isEqualTo(sha);
        }

        // kill -9 node 2 in the middle of a transfer, while nodes 1 and 3 transfer too
        CompletableFuture<String> onOne = CompletableFuture.supplyAsync(() -> uncheckedDownload(1));
        NodeClients.Interrupted two = NodeClients.downloadAcross(cluster, 2, () -> cluster.node(2).kill());
        assertThat(two.received()).as("node 2's client cannot get the whole file").isLessThan(SIZE);
        assertThat(two.completed()).as("node 2's client is not told the transfer completed (no 226); read error: "
                + two.failure()).isFalse();
        assertThatRefused(2);

        // the retry through node 3 succeeds; node 1's transfer finished whole
        assertThat(download(3)).isEqualTo(sha);
        assertThat(onOne.get(300, TimeUnit.SECONDS)).isEqualTo(sha);
        Awaitility.await("the agent notices node 2 is gone").atMost(Duration.ofSeconds(30))
                .until(() -> agent.log().contains("link to relay " + RELAY_NAME + ":" + cluster.agentPort + " ("
                        + RelayCluster.host(2) + ") lost"));
        assertThat(agent.isAlive()).isTrue();
        assertThat(cluster.agentLinks(1)).as("node 1's link never dropped").isEqualTo(1);
        assertThat(cluster.agentLinks(3)).as("node 3's link never dropped").isEqualTo(1);

        // node 2 comes back with the same data dir: the agent links to it again by itself
        cluster.startNode(2);
        awaitLinked(2, 2);
        assertThat(download(2)).isEqualTo(sha);
        assertThat(cluster.node(1).logLines("agent link from")).as("node 1 never lost the agent").isEmpty();
        assertThat(cluster.node(3).logLines("agent link from")).as("node 3 never lost the agent").isEmpty();
    }

    @Test
    void aNodeThatJoinsTheNameIsLinkedToByItselfAndOneThatLeavesIsClosed() throws Exception {
        startAgent(1, 2);
        assertThat(cluster.agentLinks(3)).isZero();

        Files.writeString(hosts, RelayCluster.hostsLines(RELAY_NAME, 1, 2, 3));
        awaitLinked(3, 1);
        assertThat(agent.logLines("relay node " + RELAY_NAME + ":" + cluster.agentPort + " (" + RelayCluster.host(3)
                + ") appeared: linking to it")).hasSize(1);
        assertThat(download(3)).isEqualTo(sha);

        Files.writeString(hosts, RelayCluster.hostsLines(RELAY_NAME, 1, 3));
        Awaitility.await("node 2's link closed").atMost(Duration.ofSeconds(60))
                .until(() -> !cluster.node(2).logLines("tunnel " + RelayCluster.NAME + ": agent from").isEmpty());
        assertThat(cluster.node(2).logLines("tunnel " + RelayCluster.NAME + ": agent from")).singleElement().asString()
                .contains("disconnected");
        assertThat(download(1)).isEqualTo(sha);
        assertThat(cluster.agentLinks(1)).isEqualTo(1);
    }

    private void assertThatRefused(int node) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Socket(RelayCluster.host(node), cluster.ftpPort).close())
                .isInstanceOf(ConnectException.class);
    }

    private String uncheckedDownload(int node) {
        return NodeClients.uncheckedDownload(cluster, node);
    }
}
