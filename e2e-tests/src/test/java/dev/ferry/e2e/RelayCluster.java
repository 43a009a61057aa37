package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Several {@code ferry-relay serve} processes, node {@code i} on 127.0.0.2{@code i} (its bind and
 * public address), all with the same agent port, the same tunnel, the same FTP port and the same
 * agent-link certificate: what one DNS name with one A record per node points at. Each node has
 * its own data dir with a copy of node 1's certificate; the tunnel is copied from node 1's data dir
 * too (the file store), or, with {@code registry}, registered once in etcd and shared.
 */
final class RelayCluster implements AutoCloseable {
    static final String NAME = "multi.ftp.example.net";
    private static final Pattern AGENT_COMMAND = Pattern.compile("--token (\\S+) --pin (\\S+)");

    final Path dir;
    final int agentPort;
    final int ftpPort;
    final int[] passive;
    String token;
    String pin;
    private final List<FerryJar> nodes = new ArrayList<>();
    private final String registry;

    /** Nodes on the data dir's file store. */
    RelayCluster(Path dir, int size) throws IOException {
        this(dir, size, null);
    }

    /**
     * @param size how many node addresses must have the ports free (nodes may be started later)
     * @param registry {@code etcd://...} for {@code --registry}, or null for the data dir
     */
    RelayCluster(Path dir, int size, String registry) throws IOException {
        this.dir = dir;
        this.registry = registry;
        int port = 0;
        int ftp = 0;
        for (int attempt = 0; attempt < 20 && port == 0; attempt++) {
            int p = FreePorts.find(host(1));
            int f = FreePorts.find(host(1));
            boolean free = p != f;
            for (int i = 2; i <= size && free; i++) {
                free = isFree(host(i), p) && isFree(host(i), f);
            }
            if (free) {
                port = p;
                ftp = f;
            }
        }
        assertThat(port).as("a port free on every node address").isPositive();
        this.agentPort = port;
        this.ftpPort = ftp;
        this.passive = FreePorts.range(host(1), 20);
        for (int i = 1; i <= size; i++) {
            nodes.add(null);
        }
    }

    static String host(int node) {
        return "127.0.0.2" + node;
    }

    /** Starts every node: node 1, the tunnel registered there, then the others with copies of its certificate. */
    RelayCluster start() throws Exception {
        return start(nodes.size());
    }

    /** Starts nodes 1 to {@code count}, as {@link #start()}. */
    RelayCluster start(int count) throws Exception {
        startNode(1);
        List<String> add = new ArrayList<>(List.of("tunnel", "add", NAME, "--ftp-port", Integer.toString(ftpPort),
                "--data-dir", dataDir(1).toString()));
        if (registry != null) {
            add.addAll(List.of("--registry", registry));
        }
        Programs.Result added = FerryJar.run(FerryJar.RELAY, add.toArray(String[]::new));
        assertThat(added.exit()).as(added.err()).isZero();
        Matcher printed = AGENT_COMMAND.matcher(added.out());
        assertThat(printed.find()).as(added.out()).isTrue();
        token = printed.group(1);
        pin = printed.group(2);
        node(1).awaitLog("tunnel " + NAME + ": listening for FTP clients", Duration.ofSeconds(30));
        for (int i = 2; i <= count; i++) {
            startNode(i);
        }
        return this;
    }

    private void copyFromNodeOne(int node) throws IOException {
        if (node == 1 || Files.exists(dataDir(node).resolve("relay-cert.pem"))) {
            return;
        }
        Path to = Files.createDirectories(dataDir(node));
        for (String file : List.of("relay-cert.pem", "relay-key.pem")) {
            Files.copy(dataDir(1).resolve(file), to.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (registry != null) {
            return;
        }
        Path tunnels = Files.createDirectories(to.resolve("tunnels"));
        try (Stream<Path> files = Files.list(dataDir(1).resolve("tunnels"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, tunnels.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    Path dataDir(int node) {
        return dir.resolve("node" + node);
    }

    Path log(int node) {
        return dir.resolve("node" + node + ".log");
    }

    /** Starts (or restarts) node {@code i} and waits until it listens for agents and, once registered, FTP clients. */
    FerryJar startNode(int i) throws IOException {
        copyFromNodeOne(i);
        long serving = listeningLines(i);
        List<String> args = new ArrayList<>(List.of("serve", "--data-dir", dataDir(i).toString(),
                "--public-address", host(i), "--bind", host(i), "--agent-listen", host(i) + ":" + agentPort,
                "--passive-ports", passive[0] + "-" + passive[1]));
        if (registry != null) {
            args.addAll(List.of("--registry", registry, "--node-id", "node-" + i));
        }
        FerryJar node = FerryJar.start(log(i), FerryJar.RELAY, args);
        nodes.set(i - 1, node);
        try {
            node.awaitLog("listening for agents", Duration.ofSeconds(60));
            if (token != null) {
                org.awaitility.Awaitility.await("node " + i + " serving tunnel " + NAME).atMost(Duration.ofSeconds(60))
                        .until(() -> listeningLines(i) > serving);
            }
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("node " + i + " did not start; its log:\n" + node.log(), e);
        }
        return node;
    }

    private long listeningLines(int i) throws IOException {
        Path log = log(i);
        if (!Files.exists(log)) {
            return 0;
        }
        return new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.contains("tunnel " + NAME + ": listening for FTP clients"))
                .count();
    }

    FerryJar node(int i) {
        return nodes.get(i - 1);
    }

    /** Lines "agent connected" in node {@code i}'s log (across restarts). */
    long agentLinks(int i) {
        return node(i).logLines("tunnel " + NAME + ": agent connected from").size();
    }

    /** Waits until node {@code node}'s log shows {@code links} agent links in all (up to 90 s), failing at once if {@code agent} exits. */
    void awaitLinked(FerryJar agent, int node, long links) {
        org.awaitility.Awaitility.await("agent link " + links + " on node " + node).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(50))
                .failFast(() -> !agent.isAlive())
                .until(() -> agentLinks(node) >= links);
    }

    /** {@code /etc/hosts} lines giving {@code name} one address per listed node. */
    static String hostsLines(String name, int... nodes) {
        StringBuilder b = new StringBuilder();
        for (int n : nodes) {
            b.append(host(n)).append(' ').append(name).append('\n');
        }
        return b.toString();
    }

    private static boolean isFree(String host, int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        for (FerryJar n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }
}
