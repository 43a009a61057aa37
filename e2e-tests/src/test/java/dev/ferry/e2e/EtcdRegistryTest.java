package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.relay.RelayServer;
import dev.ferry.relay.cli.RelayMain;
import dev.ferry.relay.registry.NodeState;
import dev.ferry.relay.registry.RegistryStore;
import dev.ferry.relay.registry.Registries;
import dev.ferry.relay.registry.RelayNode;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.Tunnel;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The registry in a real three-member etcd cluster (127.0.0.11-13) shared by three relays in this JVM
 * (on 127.0.0.11-13 too): what one node registers every node serves, one port has one owner, and the
 * relays keep serving when etcd loses its leader or goes away entirely.
 */
class EtcdRegistryTest {
    static final String[] HOSTS = {"127.0.0.11", "127.0.0.12", "127.0.0.13"};
    static final String UPSTREAM_HOST = "127.0.0.19";
    private static final Pattern TOKEN = Pattern.compile("--token (\\S+)");

    @TempDir
    Path temp;

    static Programs.Result inThisJvm(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RelayMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Programs.Result(exit, out.toString(), err.toString());
    }

    /** A port free on every relay host, and not in {@code taken}. */
    static int freeOnAll(java.util.Set<Integer> taken) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = FreePorts.find(HOSTS[0]);
            boolean free = !taken.contains(port);
            for (int h = 1; h < HOSTS.length && free; h++) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName(HOSTS[h]))) {
                    s.setReuseAddress(true);
                } catch (java.io.IOException e) {
                    free = false;
                }
            }
            if (free) {
                taken.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no port free on every relay host");
    }

    static void awaitAllServe(RelayNodes nodes, String name, int port) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            for (RelayServer relay : nodes.relays) {
                assertThat(relay.ftpPort(name)).contains(port);
            }
        });
    }

    static String download(FTPClient ftp, String file) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThat(ftp.retrieveFile(file, bytes)).as(ftp.getReplyString()).isTrue();
        return Checksums.sha256(new java.io.ByteArrayInputStream(bytes.toByteArray()));
    }

    @Test
    void aTunnelAddedThroughNodeOneIsServedByEveryNodeAndEachChangeReachesAllNodesQuickly() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        String expected = Checksums.sha256(Checksums.randomFile(home.resolve("file.bin"), 8 << 20, 12));
        try (EtcdCluster etcd = EtcdCluster.start(temp, Duration.ofSeconds(1), HOSTS);
                RelayNodes nodes = RelayNodes.start(temp, etcd.settings(), HOSTS);
                EmbeddedUpstream upstream = EmbeddedUpstream.start(UPSTREAM_HOST, home)) {
            // Every node lists every node, each with its own public address and agent endpoint.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (RelayServer relay : nodes.relays) {
                    assertThat(relay.nodeDirectory().nodes()).extracting(RelayNode::id)
                            .containsExactly("node-1", "node-2", "node-3");
                }
            });
            RelayNode second = nodes.relay(0).nodeDirectory().nodes().get(1);
            assertThat(second.publicAddress()).isEqualTo(HOSTS[1]);
            assertThat(second.agentEndpoint().port()).isEqualTo(nodes.relay(1).agentPort());
            assertThat(second.state()).isEqualTo(NodeState.SERVING);
            assertThat(second.pin()).isEqualTo(nodes.relay(1).certificate().orElseThrow().pin().toString());

            // The operator adds a tunnel with the CLI on node 1; every node serves it, and FTP works through each.
            java.util.Set<Integer> taken = new java.util.HashSet<>();
            int port = freeOnAll(taken);
            Programs.Result add = inThisJvm("tunnel", "add", "alice.example.net", "--ftp-port", Integer.toString(port),
                    "--registry", etcd.registryUrl(), "--data-dir", nodes.dataDirs.get(0).toString());
            assertThat(add.exit()).as(add.err()).isZero();
            assertThat(add.out()).contains("--relay " + HOSTS[0] + ":" + nodes.relay(0).agentPort())
                    .contains("--pin " + nodes.relay(0).certificate().orElseThrow().pin());
            Matcher token = TOKEN.matcher(add.out());
            assertThat(token.find()).isTrue();
            awaitAllServe(nodes, "alice.example.net", port);
            for (int i = 0; i < HOSTS.length; i++) {
                nodes.startAgent(i, token.group(1), upstream.address());
                FTPClient ftp = nodes.login(i, port);
                try {
                    assertThat(download(ftp, "file.bin")).as("through relay %d", i + 1).isEqualTo(expected);
                } finally {
                    ftp.disconnect();
                }
            }

            // 100 changes, each timed from the call to etcd until every node listens on the new tunnel's port.
            List<Long> micros = new ArrayList<>();
            try (RegistryStore store = Registries.store(etcd.settings(), temp)) {
                for (int i = 0; i < 100; i++) {
                    String name = "t" + i + ".example.net";
                    int p = freeOnAll(taken);
                    long start = System.nanoTime();
                    store.add(new Tunnel(name, p, AgentToken.sha256Hex(AgentToken.generate(new SecureRandom()))));
                    boolean[] seen = new boolean[HOSTS.length];
                    int left = HOSTS.length;
                    long deadline = start + TimeUnit.SECONDS.toNanos(30);
                    while (left > 0 && System.nanoTime() < deadline) {
                        for (int n = 0; n < HOSTS.length; n++) {
                            if (!seen[n] && nodes.relay(n).ftpPort(name).isPresent()) {
                                seen[n] = true;
                                left--;
                            }
                        }
                        if (left > 0) {
                            Thread.sleep(0, 200_000);
                        }
                    }
                    assertThat(left).as("nodes not serving %s after 30 s", name).isZero();
                    micros.add((System.nanoTime() - start) / 1000);
                }
            }
            List<Long> sorted = micros.stream().sorted().toList();
            System.out.printf("registry change -> served on all 3 nodes, over %d changes: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    sorted.size(), sorted.get(49) / 1000.0, sorted.get(98) / 1000.0, sorted.get(99) / 1000.0);
        }
    }

    @Test
    void twentyConcurrentAddsFromProcessesAndThreadsGiveEachNameAndPortOneOwnerInEtcd() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(temp, Duration.ofSeconds(1), HOSTS)) {
            int[] ports = {21001, 21002, 21003, 21004, 21005}; // only claimed in etcd, never bound
            int adds = 20;
            ExecutorService pool = Executors.newFixedThreadPool(adds);
            CountDownLatch go = new CountDownLatch(1);
            record Add(String name, int port, Programs.Result result) {
            }
            List<Future<Add>> futures = new ArrayList<>();
            try {
                for (int i = 0; i < adds; i++) {
                    String name = "c" + (i % 7) + ".example.net"; // names repeat every 7 adds, ports every 5
                    int port = ports[i % ports.length];
                    String[] args = {"tunnel", "add", name, "--ftp-port", Integer.toString(port), "--registry",
                            etcd.registryUrl(), "--data-dir", temp.resolve("none").toString()};
                    boolean process = i % 2 == 0;
                    futures.add(pool.submit(() -> {
                        go.await();
                        return new Add(name, port, process ? FerryJar.run(FerryJar.RELAY, args) : inThisJvm(args));
                    }));
                }
                go.countDown();
                List<Add> results = new ArrayList<>();
                for (Future<Add> f : futures) {
                    results.add(f.get(180, TimeUnit.SECONDS));
                }
                List<Add> winners = results.stream().filter(a -> a.result().exit() == 0).toList();
                assertThat(winners).isNotEmpty();
                assertThat(winners).extracting(Add::name).doesNotHaveDuplicates();
                assertThat(winners).extracting(Add::port).doesNotHaveDuplicates();
                Map<String, Integer> stored = new HashMap<>();
                try (RegistryStore store = Registries.store(etcd.settings(), temp)) {
                    store.list().forEach(t -> stored.put(t.name(), t.ftpPort()));
                }
                assertThat(stored).hasSameSizeAs(winners);
                for (Add w : winners) {
                    assertThat(stored).containsEntry(w.name(), w.port());
                }
                // Each port claim names the one tunnel that has the port.
                Map<String, String> claims = new HashMap<>();
                for (KeyValue kv : etcd.admin().getKVClient().get(ByteSequence.from("/ferry/ports/", StandardCharsets.UTF_8),
                        GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs()) {
                    claims.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().toString(StandardCharsets.UTF_8));
                }
                assertThat(claims).hasSameSizeAs(winners);
                for (Add w : winners) {
                    assertThat(claims).containsEntry("/ferry/ports/" + w.port(), w.name());
                }
                for (Add loser : results) {
                    if (loser.result().exit() == 0) {
                        continue;
                    }
                    assertThat(loser.result().exit()).as(loser.result().err()).isEqualTo(2);
                    assertThat(loser.result().out()).doesNotContain("ferry_");
                    String error = loser.result().err();
                    assertThat(error.lines().toList()).as(error).hasSize(1);
                    boolean nameTaken = error.startsWith("ferry-relay: tunnel " + loser.name() + " already exists")
                            && stored.containsKey(loser.name());
                    boolean portTaken = stored.entrySet().stream().anyMatch(e -> e.getValue() == loser.port()
                            && error.contains("FTP port " + loser.port() + " is already used by tunnel " + e.getKey()));
                    assertThat(nameTaken || portTaken).as("a true reason: %s", error).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
