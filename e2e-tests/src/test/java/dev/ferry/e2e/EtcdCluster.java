package dev.ferry.e2e;

import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.registry.RegistrySettings;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd cluster for tests: Debian's {@code etcd} ({@code etcd-server}, installed by
 * deploy/ci/install-test-deps.sh), one member per loopback address given, on free ports, with data dirs
 * under a temporary folder. Members are started and stopped by PID (never by name). A missing binary
 * fails the test: it never skips.
 */
final class EtcdCluster implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/etcd");

    /** One member: where it listens and keeps its data. */
    record Member(String name, String host, int clientPort, int peerPort, Path dataDir, Path log) {
        String clientUrl() {
            return "http://" + host + ":" + clientPort;
        }

        String peerUrl() {
            return "http://" + host + ":" + peerPort;
        }
    }

    private final List<Member> members;
    private final Process[] processes;
    private final String token = "ferry-test-" + UUID.randomUUID();
    private final Duration electionTimeout;
    private final List<String> extraArgs;
    private Client admin;

    private EtcdCluster(List<Member> members, Duration electionTimeout, List<String> extraArgs) {
        this.members = List.copyOf(members);
        this.processes = new Process[members.size()];
        this.electionTimeout = electionTimeout;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts one member on each of {@code hosts} (e.g. 127.0.0.11-13) and waits until the cluster has a leader. */
    static EtcdCluster start(Path dir, Duration electionTimeout, String... hosts) throws Exception {
        return start(dir, electionTimeout, List.of(), hosts);
    }

    /** As {@link #start(Path, Duration, String...)}, with more etcd flags for every member. */
    static EtcdCluster start(Path dir, Duration electionTimeout, List<String> extraArgs, String... hosts) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing: install Debian's etcd-server (deploy/ci/install-test-deps.sh)");
        }
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < hosts.length; i++) {
            int client = FreePorts.find(hosts[i]);
            int peer;
            do {
                peer = FreePorts.find(hosts[i]);
            } while (peer == client);
            Path data = dir.resolve("etcd-" + (i + 1));
            members.add(new Member("m" + (i + 1), hosts[i], client, peer, data, dir.resolve("etcd-" + (i + 1) + ".log")));
        }
        EtcdCluster cluster = new EtcdCluster(members, electionTimeout, extraArgs);
        try {
            for (int i = 0; i < members.size(); i++) {
                cluster.startMember(i);
            }
            cluster.awaitLeader(Duration.ofSeconds(60));
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    List<Member> members() {
        return members;
    }

    /** {@code etcd://h1:p1,h2:p2,h3:p3}: what {@code --registry} takes. */
    String registryUrl() {
        StringBuilder url = new StringBuilder("etcd://");
        for (int i = 0; i < members.size(); i++) {
            url.append(i == 0 ? "" : ",").append(members.get(i).host()).append(':').append(members.get(i).clientPort());
        }
        return url.toString();
    }

    RegistrySettings settings() {
        return new RegistrySettings(RegistrySettings.parseEndpoints(registryUrl()), null, null, null, null, null,
                RegistrySettings.DEFAULT_PREFIX);
    }

    /** A client of all members, for the test's own checks; closed with the cluster. */
    synchronized Client admin() {
        if (admin == null) {
            admin = Client.builder().endpoints(members.stream().map(Member::clientUrl).toArray(String[]::new))
                    .waitForReady(false).build();
        }
        return admin;
    }

    /** Starts member {@code i} (again: its data dir makes it rejoin as the same member). */
    void startMember(int i) throws IOException {
        Member m = members.get(i);
        StringBuilder initial = new StringBuilder();
        for (Member other : members) {
            initial.append(initial.length() == 0 ? "" : ",").append(other.name()).append('=').append(other.peerUrl());
        }
        long heartbeat = Math.max(50, electionTimeout.toMillis() / 10);
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--name", m.name(), "--data-dir", m.dataDir().toString(),
                "--listen-client-urls", m.clientUrl(), "--advertise-client-urls", m.clientUrl(),
                "--listen-peer-urls", m.peerUrl(), "--initial-advertise-peer-urls", m.peerUrl(),
                "--initial-cluster", initial.toString(), "--initial-cluster-state", "new",
                "--initial-cluster-token", token,
                "--heartbeat-interval", Long.toString(heartbeat),
                "--election-timeout", Long.toString(electionTimeout.toMillis()),
                "--logger", "zap", "--log-outputs", "stderr"));
        command.addAll(extraArgs);
        processes[i] = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(m.log().toFile())).start();
    }

    boolean running(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** SIGTERM to member {@code i}'s PID; waits until it has exited. */
    void stopMember(int i) throws InterruptedException {
        Process p = processes[i];
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGKILL to member {@code i}'s PID. */
    void killMember(int i) throws InterruptedException {
        Process p = processes[i];
        if (p != null && p.isAlive()) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGSTOP (true) or SIGCONT (false) to member {@code i}'s PID: frozen, its connections stay open. */
    void freeze(int i, boolean frozen) throws Exception {
        Process kill = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(pid(i))).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + (frozen ? "-STOP " : "-CONT ") + pid(i) + " failed");
        }
    }

    /** A client of the members {@code indexes} only; the caller closes it. */
    Client clientOf(int... indexes) {
        return Client.builder().endpoints(java.util.Arrays.stream(indexes).mapToObj(i -> members.get(i).clientUrl())
                .toArray(String[]::new)).waitForReady(false).build();
    }

    /** Settings naming the members {@code indexes} only. */
    RegistrySettings settingsOf(int... indexes) {
        StringBuilder url = new StringBuilder("etcd://");
        for (int i : indexes) {
            url.append(url.length() == 7 ? "" : ",").append(members.get(i).host()).append(':').append(members.get(i).clientPort());
        }
        return new RegistrySettings(RegistrySettings.parseEndpoints(url.toString()), null, null, null, null, null,
                RegistrySettings.DEFAULT_PREFIX);
    }

    long pid(int i) {
        return processes[i].pid();
    }

    /** The index of the member that is leader now, asking the running members; -1 if none says so. */
    int leader() {
        for (int i = 0; i < members.size(); i++) {
            if (!running(i)) {
                continue;
            }
            try {
                StatusResponse status = admin().getMaintenanceClient().statusMember(members.get(i).clientUrl())
                        .get(2, TimeUnit.SECONDS);
                if (status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId()) {
                    return i;
                }
            } catch (Exception e) {
                // not answering yet
            }
        }
        return -1;
    }

    /** Waits until a running member is the leader and a write succeeds. */
    int awaitLeader(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            int leader = leader();
            if (leader >= 0) {
                try {
                    admin().getKVClient().put(io.etcd.jetcd.ByteSequence.from("/test/ping".getBytes()),
                            io.etcd.jetcd.ByteSequence.from("1".getBytes())).get(3, TimeUnit.SECONDS);
                    return leader;
                } catch (Exception e) {
                    last = e;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("etcd has no leader after " + timeout.toSeconds() + " s (logs in "
                + members.get(0).log().getParent() + ")", last);
    }

    List<HostPort> endpoints() {
        return members.stream().map(m -> new HostPort(m.host(), m.clientPort())).toList();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        for (int i = 0; i < processes.length; i++) {
            try {
                if (running(i)) {
                    freeze(i, false); // a frozen member would not see its SIGTERM
                }
                stopMember(i);
            } catch (Exception e) {
                // stopped below by SIGKILL if needed
            }
            try {
                killMember(i);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
