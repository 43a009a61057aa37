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

            // A node that drains says so to every node; a node whose registry closes (the relay stops) is gone at once.
            nodes.relay(1).registry().changeState(NodeState.DRAINING);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nodes.relay(0).nodeDirectory().nodes())
                    .filteredOn(n -> n.id().equals("node-2")).singleElement()
                    .extracting(RelayNode::state).isEqualTo(NodeState.DRAINING));
            nodes.relay(2).registry().close();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nodes.relay(0).nodeDirectory().nodes())
                    .extracting(RelayNode::id).containsExactly("node-1", "node-2"));
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
                    // JVMs starting at once on a small, shared machine: the first etcd call also loads gRPC, hence 60 s.
                    String[] args = {"tunnel", "add", name, "--ftp-port", Integer.toString(port), "--registry",
                            etcd.registryUrl(), "--registry-timeout", "60", "--data-dir", temp.resolve("none").toString()};
                    boolean process = i % 5 == 0; // four separate processes, sixteen threads of this JVM
                    futures.add(pool.submit(() -> {
                        go.await();
                        return new Add(name, port, process ? Programs.run(180, FerryJar.command(FerryJar.RELAY, List.of(args)))
                                : inThisJvm(args));
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

    /** Three relays with tunnel alice.example.net served through an agent on each, and a logged-in session on each. */
    private record Served(RelayNodes nodes, int port, List<FTPClient> sessions, String sha256) {
        void downloadOnEverySession(String why) throws Exception {
            for (int i = 0; i < sessions.size(); i++) {
                assertThat(download(sessions.get(i), "file.bin")).as("%s: existing session on relay %d", why, i + 1)
                        .isEqualTo(sha256);
            }
        }

        void downloadOnNewSessions(String why) throws Exception {
            for (int i = 0; i < sessions.size(); i++) {
                FTPClient ftp = nodes.login(i, port);
                try {
                    assertThat(download(ftp, "file.bin")).as("%s: new session on relay %d", why, i + 1).isEqualTo(sha256);
                } finally {
                    ftp.disconnect();
                }
            }
        }
    }

    private Served serveAlice(EtcdCluster etcd, RelayNodes nodes, EmbeddedUpstream upstream, String sha256) throws Exception {
        int port = freeOnAll(new java.util.HashSet<>());
        String token = AgentToken.generate(new SecureRandom());
        try (RegistryStore store = Registries.store(etcd.settings(), temp)) {
            store.add(new Tunnel("alice.example.net", port, AgentToken.sha256Hex(token)));
        }
        awaitAllServe(nodes, "alice.example.net", port);
        List<FTPClient> sessions = new ArrayList<>();
        for (int i = 0; i < HOSTS.length; i++) {
            nodes.startAgent(i, token, upstream.address());
            sessions.add(nodes.login(i, port));
        }
        Served served = new Served(nodes, port, sessions, sha256);
        served.downloadOnEverySession("before");
        return served;
    }

    @Test
    void whenTheEtcdLeaderDiesRelaysKeepServingAndRegistrationsAreRefusedUntilThereIsANewLeader() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        String expected = Checksums.sha256(Checksums.randomFile(home.resolve("file.bin"), 2 << 20, 13));
        // A 3 s election timeout: the cluster is without a leader for 3-6 s after the leader dies.
        try (EtcdCluster etcd = EtcdCluster.start(temp, Duration.ofSeconds(3), HOSTS);
                RelayNodes nodes = RelayNodes.start(temp, etcd.settings(), HOSTS);
                EmbeddedUpstream upstream = EmbeddedUpstream.start(UPSTREAM_HOST, home)) {
            Served alice = serveAlice(etcd, nodes, upstream, expected);
            int leader = etcd.leader();
            assertThat(leader).isNotNegative();
            etcd.killMember(leader);
            long killed = System.nanoTime();
            List<String> refusals = new ArrayList<>();
            long addedAfter = -1;
            int port = freeOnAll(new java.util.HashSet<>(List.of(alice.port())));
            Tunnel bob = new Tunnel("bob.example.net", port, AgentToken.sha256Hex(AgentToken.generate(new SecureRandom())));
            try (RegistryStore quick = new dev.ferry.relay.registry.etcd.EtcdTunnelStore(
                    dev.ferry.relay.registry.etcd.EtcdClients.build(etcd.settings()), true,
                    new dev.ferry.relay.registry.etcd.EtcdKeys("/ferry/"), etcd.settings().describe(), Duration.ofSeconds(1))) {
                while (addedAfter < 0 && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(90)) {
                    try {
                        quick.add(bob);
                        addedAfter = (System.nanoTime() - killed) / 1_000_000;
                    } catch (dev.ferry.relay.registry.RegistryUnavailableException e) {
                        refusals.add(e.getMessage());
                        if (refusals.size() == 1) {
                            alice.downloadOnEverySession("no leader");
                        }
                    }
                }
            }
            System.out.printf("etcd leader m%d killed: %d registrations refused, the next accepted %d ms after the kill; "
                    + "first refusal: %s%n", leader + 1, refusals.size(), addedAfter, refusals.isEmpty() ? "-" : refusals.get(0));
            assertThat(refusals).as("refused while there was no leader").isNotEmpty();
            for (String refusal : refusals) {
                assertThat(refusal.lines().toList()).hasSize(1);
                assertThat(refusal).startsWith("tunnel bob.example.net was not added: " + etcd.settings().describe());
            }
            assertThat(addedAfter).as("accepted once there is a new leader").isPositive();
            int next = etcd.awaitLeader(Duration.ofSeconds(30));
            assertThat(next).isNotEqualTo(leader);
            awaitAllServe(nodes, "bob.example.net", port);
            alice.downloadOnEverySession("new leader");
            alice.downloadOnNewSessions("new leader");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (RelayServer relay : nodes.relays) {
                    assertThat(relay.registryStaleSince()).isEmpty();
                }
            });
        }
    }

    @Test
    void withEtcdGoneFor30SecondsRelaysServeFromTheirSnapshotAndRefuseOnlyNewRegistrations() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        String expected = Checksums.sha256(Checksums.randomFile(home.resolve("file.bin"), 2 << 20, 14));
        try (EtcdCluster etcd = EtcdCluster.start(temp, Duration.ofSeconds(1), HOSTS);
                RelayNodes nodes = RelayNodes.start(temp, etcd.settings(), HOSTS);
                EmbeddedUpstream upstream = EmbeddedUpstream.start(UPSTREAM_HOST, home)) {
            Served alice = serveAlice(etcd, nodes, upstream, expected);
            for (int i = 0; i < HOSTS.length; i++) {
                etcd.killMember(i);
            }
            long gone = System.nanoTime();
            int rounds = 0;
            while (System.nanoTime() - gone < TimeUnit.SECONDS.toNanos(30)) {
                alice.downloadOnEverySession("etcd gone");
                alice.downloadOnNewSessions("etcd gone");
                rounds++;
                Thread.sleep(2000);
            }
            for (RelayServer relay : nodes.relays) {
                assertThat(relay.registryStaleSince()).as("stale since etcd went").isPresent();
                assertThat(relay.ftpPort("alice.example.net")).contains(alice.port());
            }
            Programs.Result refused = inThisJvm("tunnel", "add", "late.example.net", "--registry", etcd.registryUrl(),
                    "--data-dir", nodes.dataDirs.get(0).toString());
            assertThat(refused.exit()).isEqualTo(2);
            assertThat(refused.out()).doesNotContain("ferry_");
            assertThat(refused.err().lines().toList()).singleElement().asString()
                    .startsWith("ferry-relay: tunnel late.example.net was not added: " + etcd.settings().describe());
            System.out.printf("etcd gone for %d s: %d rounds of downloads on old and new sessions through 3 relays; "
                    + "tunnel add said: %s", (System.nanoTime() - gone) / 1_000_000_000, rounds, refused.err());

            for (int i = 0; i < HOSTS.length; i++) {
                etcd.startMember(i);
            }
            etcd.awaitLeader(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (RelayServer relay : nodes.relays) {
                    assertThat(relay.registryStaleSince()).isEmpty();
                    assertThat(relay.nodeDirectory().nodes()).extracting(RelayNode::id)
                            .containsExactly("node-1", "node-2", "node-3");
                }
            });
            // Every node key is still (or again) under a live lease: a relay that stopped would vanish.
            assertThat(etcd.admin().getKVClient().get(ByteSequence.from("/ferry/nodes/", StandardCharsets.UTF_8),
                    GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs())
                    .allSatisfy(kv -> assertThat(kv.getLease()).isNotZero()).hasSize(3);
            int port = freeOnAll(new java.util.HashSet<>(List.of(alice.port())));
            Programs.Result added = inThisJvm("tunnel", "add", "late.example.net", "--ftp-port", Integer.toString(port),
                    "--registry", etcd.registryUrl(), "--data-dir", nodes.dataDirs.get(0).toString());
            assertThat(added.exit()).as(added.err()).isZero();
            awaitAllServe(nodes, "late.example.net", port);
            alice.downloadOnEverySession("etcd back");
        }
    }

    private static java.util.Set<String> servedNames(RelayServer relay) {
        return relay.registry().tunnels().tunnels().stream().map(Tunnel::name).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void aWatchCancelledByCompactionListsAgainAndMissesNothing() throws Exception {
        // Members snapshot every 100 entries and keep 5,000 more for slow followers: a member that misses more is sent
        // a snapshot, and etcd then cancels each watch it serves from before the compacted revision.
        try (EtcdCluster etcd = EtcdCluster.start(temp, Duration.ofSeconds(1), List.of("--snapshot-count", "100"), HOSTS);
                RelayNodes nodes = RelayNodes.start(temp, i -> i == 2 ? etcd.settingsOf(2) : etcd.settingsOf(0, 1), HOSTS);
                LogCapture log = LogCapture.of("dev.ferry.relay.registry.etcd.RegistryWatch");
                io.etcd.jetcd.Client quorum = etcd.clientOf(0, 1);
                RegistryStore store = new dev.ferry.relay.registry.etcd.EtcdTunnelStore(etcd.clientOf(0, 1), true,
                        new dev.ferry.relay.registry.etcd.EtcdKeys("/ferry/"), "etcd m1,m2", Duration.ofSeconds(10))) {
            java.util.Set<String> expected = new java.util.HashSet<>();
            for (int i = 0; i < 5; i++) {
                store.add(new Tunnel("old" + i + ".example.net", Tunnel.SHARED_ONLY,
                        AgentToken.sha256Hex(AgentToken.generate(new SecureRandom()))));
                expected.add("old" + i + ".example.net");
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (RelayServer relay : nodes.relays) {
                    assertThat(servedNames(relay)).isEqualTo(expected);
                }
            });
            // Relay 3 watches through member 3 only; member 3 freezes while the others change and compact.
            etcd.freeze(2, true);
            long frozen = System.nanoTime();
            long compactedTo;
            try {
                for (int i = 0; i < 10; i++) {
                    store.add(new Tunnel("new" + i + ".example.net", Tunnel.SHARED_ONLY,
                            AgentToken.sha256Hex(AgentToken.generate(new SecureRandom()))));
                    expected.add("new" + i + ".example.net");
                }
                for (int i = 0; i < 3; i++) {
                    assertThat(store.remove("old" + i + ".example.net")).isTrue();
                    expected.remove("old" + i + ".example.net");
                }
                ByteSequence value = ByteSequence.from("x", StandardCharsets.UTF_8);
                for (int batch = 0; batch < 12; batch++) {
                    List<java.util.concurrent.CompletableFuture<?>> puts = new ArrayList<>();
                    for (int i = 0; i < 500; i++) {
                        puts.add(quorum.getKVClient().put(ByteSequence.from("/load/" + (i % 50), StandardCharsets.UTF_8), value));
                    }
                    for (java.util.concurrent.CompletableFuture<?> put : puts) {
                        put.get(60, TimeUnit.SECONDS);
                    }
                }
                compactedTo = quorum.getKVClient().get(ByteSequence.from("/load/0", StandardCharsets.UTF_8))
                        .get(10, TimeUnit.SECONDS).getHeader().getRevision();
                quorum.getKVClient().compact(compactedTo, io.etcd.jetcd.options.CompactOption.builder()
                        .withCompactPhysical(true).build()).get(30, TimeUnit.SECONDS);
            } finally {
                etcd.freeze(2, false);
            }
            long frozenMs = (System.nanoTime() - frozen) / 1_000_000;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (RelayServer relay : nodes.relays) {
                    assertThat(servedNames(relay)).isEqualTo(expected);
                }
            });
            // The cancellation may reach relay 3 just after its snapshot is whole again (the log line follows it).
            boolean relisted;
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> log.contains(ch.qos.logback.classic.Level.WARN, "revision compacted"));
                relisted = true;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                relisted = false;
            }
            System.out.printf("member 3 frozen %d ms while 13 tunnel changes and 6,000 other writes were made and "
                    + "etcd compacted to revision %d; relay 3's watch was cancelled by the compaction and re-listed: %s%n",
                    frozenMs, compactedTo, relisted);
            assertThat(relisted).as("the compaction cancelled relay 3's watch (log: %s)", log.lines(
                    ch.qos.logback.classic.Level.INFO)).isTrue();
        }
    }
}
