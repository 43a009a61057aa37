package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM drains, on the real launchers: the relay (and the agent) stop taking sessions, let a
 * running 500 MiB RETR (curl, rate-limited so it is still running) finish with its 226 and equal
 * SHA-256, tell idle sessions 421, and exit 0 with nothing left listening; a drain timeout cuts a
 * transfer loudly; a second SIGTERM stops at once.
 */
class DrainTest {
    private static final String NAME = "drain.ftp.example.net";
    private static final long BIG = 500L << 20;
    private static final Pattern AGENT_COMMAND = Pattern.compile(
            "^java -jar ferry-agent\\.jar --relay (\\S+) --token (\\S+) --pin (\\S+) --upstream 127\\.0\\.0\\.1:21$");

    @TempDir
    static Path shared;
    static Path home;
    static String bigSha;

    @TempDir
    Path temp;

    Path data;
    EmbeddedUpstream upstream;
    FerryJar relay;
    FerryJar agent;
    int agentPort;
    int ftpPort;
    int[] passive;
    String token;
    String pin;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void bigFile() throws Exception {
        home = Files.createDirectories(shared.resolve("home"));
        bigSha = Checksums.sha256(Checksums.randomFile(home.resolve("big.bin"), BIG, 10));
    }

    void start(String... relayFlags) throws Exception {
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        data = temp.resolve("relay-data");
        agentPort = FreePorts.find("127.0.0.1");
        ftpPort = FreePorts.find(Tunnel.RELAY_HOST);
        passive = FreePorts.range(Tunnel.RELAY_HOST, 10);
        relay = startRelay(relayFlags);
        Programs.Result add = FerryJar.run(FerryJar.RELAY, "tunnel", "add", NAME, "--ftp-port", Integer.toString(ftpPort),
                "--data-dir", data.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        List<String> lines = add.out().lines().toList();
        Matcher printed = AGENT_COMMAND.matcher(lines.get(lines.size() - 1));
        assertThat(printed.matches()).as(add.out()).isTrue();
        token = printed.group(2);
        pin = printed.group(3);
    }

    FerryJar startRelay(String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--data-dir", data.toString(),
                "--public-address", Tunnel.RELAY_HOST, "--bind", Tunnel.RELAY_HOST, "--ftp-listen", "off",
                "--agent-listen", "127.0.0.1:" + agentPort, "--passive-ports", passive[0] + "-" + passive[1]));
        args.addAll(List.of(flags));
        FerryJar started = FerryJar.start(temp.resolve("relay-" + System.nanoTime() + ".log"), FerryJar.RELAY, args);
        started.awaitLog("listening for agents", Duration.ofSeconds(30));
        return started;
    }

    void startAgent(String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--relay", "127.0.0.1:" + agentPort, "--token", token, "--pin", pin,
                "--upstream", "127.0.0.6:" + upstream.address().getPort()));
        args.addAll(List.of(flags));
        agent = FerryJar.start(temp.resolve("agent.log"), FerryJar.AGENT, args);
        agent.awaitLog("is live at", Duration.ofSeconds(30));
        relay.awaitLog("listening for FTP clients on", Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** curl downloading big.bin at {@code rate}, so that it is still running when the signal comes. */
    private CompletableFuture<Programs.Result> download(Path out, String rate) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Programs.run(240, List.of("curl", "-sS", "-v", "--limit-rate", rate, "-o", out.toString(),
                        "ftp://" + EmbeddedUpstream.USER + ":" + EmbeddedUpstream.PASSWORD + "@" + Tunnel.RELAY_HOST + ":"
                                + ftpPort + "/big.bin"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void awaitBytes(Path out, long bytes) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(out) && Files.size(out) > bytes);
    }

    /** A logged-in session that does nothing. */
    private RawFtp idleSession() throws Exception {
        RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort);
        toClose.add(ftp);
        assertThat(ftp.reply()).startsWith("220");
        assertThat(ftp.send("USER " + EmbeddedUpstream.USER)).startsWith("331");
        assertThat(ftp.send("PASS " + EmbeddedUpstream.PASSWORD)).startsWith("230");
        return ftp;
    }

    private void assertNothingListens() {
        List<Integer> ports = new ArrayList<>(List.of(ftpPort));
        for (int p = passive[0]; p <= passive[1]; p++) {
            ports.add(p);
        }
        for (int port : ports) {
            assertThatThrownBy(() -> new Socket(Tunnel.RELAY_HOST, port).close()).as("port " + port)
                    .isInstanceOf(ConnectException.class);
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", agentPort).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void sigtermDuringA500MiBRetrLetsItFinishTellsIdleSessions421RefusesNewOnesAndExits0() throws Exception {
        int adminPort = FreePorts.find("127.0.0.1");
        start("--admin-listen", "127.0.0.1:" + adminPort);
        startAgent();
        AdminHttp admin = new AdminHttp("127.0.0.1", adminPort, data.resolve("admin.token"));
        assertThat(admin.get("/readyz").status()).isEqualTo(200);
        RawFtp idle = idleSession();
        Path out = temp.resolve("big.out");
        CompletableFuture<Programs.Result> curl = download(out, "40M");
        awaitBytes(out, 40L << 20);

        relay.signal("TERM");
        relay.awaitLog("draining (SIGTERM)", Duration.ofSeconds(10));
        assertThat(idle.reply()).isEqualTo("421 Service closing control connection (the relay is restarting).");
        assertThat(idle.reply()).as("closed after the 421").isNull();
        assertThatThrownBy(() -> new Socket(Tunnel.RELAY_HOST, ftpPort).close()).as("no new sessions while draining")
                .isInstanceOf(ConnectException.class);
        assertThat(relay.isAlive()).as("still draining while the transfer runs").isTrue();
        AdminHttp.Reply ready = admin.get("/readyz");
        assertThat(ready.status()).as(ready.body()).isEqualTo(503);
        assertThat(ready.body()).contains("draining");
        assertThat(Files.size(out)).as("the transfer was still running").isLessThan(BIG);

        Programs.Result done = curl.get();
        assertThat(done.exit()).as(done.err()).isZero();
        assertThat(done.err()).contains("< 226");
        assertThat(Checksums.sha256(out)).isEqualTo(bigSha);
        assertThat(relay.awaitExit(Duration.ofSeconds(30))).as(relay.log()).isZero();
        assertThat(relay.logLines("draining (SIGTERM)")).as(relay.log()).singleElement().asString()
                .contains("2 sessions open, 1 running a transfer or command").contains("waiting up to 30 s");
        assertThat(relay.logLines("drain ended")).singleElement().asString()
                .contains("2 sessions ended (1 after finishing a transfer or command), none cut");
        assertThat(relay.log()).doesNotContain("Exception").doesNotContain("did not stop");
        assertNothingListens();
        assertThat(agent.isAlive()).as("the agent waits for the relay to come back").isTrue();
    }

    @Test
    void theDrainTimeoutCutsATransferThatTakesLongerLoudlyNever226() throws Exception {
        start("--drain-timeout", "2");
        startAgent();
        Path out = temp.resolve("big.out");
        CompletableFuture<Programs.Result> curl = download(out, "20M");
        awaitBytes(out, 20L << 20);

        relay.signal("TERM");
        assertThat(relay.awaitExit(Duration.ofSeconds(20))).as(relay.log()).isZero();
        Programs.Result done = curl.get();
        assertThat(done.exit()).as(done.err()).isNotZero();
        assertThat(done.err()).doesNotContain("< 226");
        assertThat(Files.size(out)).isLessThan(BIG);
        assertThat(relay.logLines("drain ended")).as(relay.log()).singleElement().asString()
                .contains("0 sessions ended").contains("1 cut (1 in the middle of a transfer or command");
        assertNothingListens();
    }

    @Test
    void aSecondSigtermStopsAtOnce() throws Exception {
        start();
        startAgent();
        Path out = temp.resolve("big.out");
        CompletableFuture<Programs.Result> curl = download(out, "20M");
        awaitBytes(out, 20L << 20);

        relay.signal("TERM");
        relay.awaitLog("draining (SIGTERM)", Duration.ofSeconds(10));
        long second = System.nanoTime();
        relay.signal("TERM");
        assertThat(relay.awaitExit(Duration.ofSeconds(15))).as(relay.log()).isEqualTo(143);
        assertThat(Duration.ofNanos(System.nanoTime() - second)).as("well before the 30 s drain timeout")
                .isLessThan(Duration.ofSeconds(15));
        assertThat(relay.logLines("second SIGTERM: stopping now")).as(relay.log()).hasSize(1);
        assertThat(relay.logLines("drain ended")).singleElement().asString().contains("1 cut");
        Programs.Result done = curl.get();
        assertThat(done.exit()).as(done.err()).isNotZero();
        assertThat(done.err()).doesNotContain("< 226");
        assertNothingListens();
    }

    @Test
    void anIdleRelayDrainsAtOnce() throws Exception {
        start("--drain-timeout", "600");
        startAgent();
        relay.signal("TERM");
        assertThat(relay.awaitExit(Duration.ofSeconds(15))).as(relay.log()).isZero();
        assertThat(relay.logLines("drain ended")).singleElement().asString().contains("0 sessions ended").contains("none cut");
        assertNothingListens();
    }

    @Test
    void theAgentDrainsTheSameWay() throws Exception {
        start();
        int adminPort = FreePorts.find("127.0.0.1");
        Path tokenFile = temp.resolve("agent-admin.token");
        startAgent("--admin-listen", "127.0.0.1:" + adminPort, "--admin-token-file", tokenFile.toString());
        AdminHttp admin = new AdminHttp("127.0.0.1", adminPort, tokenFile);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> admin.get("/readyz").status() == 200);
        RawFtp idle = idleSession();
        Path out = temp.resolve("big.out");
        CompletableFuture<Programs.Result> curl = download(out, "40M");
        awaitBytes(out, 40L << 20);

        agent.signal("TERM");
        agent.awaitLog("draining (SIGTERM)", Duration.ofSeconds(10));
        assertThat(idle.reply()).isEqualTo("421 Service closing control connection (the FTP server's Ferry agent is restarting).");
        assertThat(idle.reply()).isNull();
        relay.awaitLog("is shutting down", Duration.ofSeconds(10));
        try (RawFtp late = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort)) {
            assertThat(late.reply()).isEqualTo("421 Service not available: " + NAME
                    + " is restarting (its Ferry agent is shutting down).");
        }
        assertThat(agent.isAlive()).isTrue();
        assertThat(admin.get("/readyz").status()).isEqualTo(503);

        Programs.Result done = curl.get();
        assertThat(done.exit()).as(done.err()).isZero();
        assertThat(done.err()).contains("< 226");
        assertThat(Checksums.sha256(out)).isEqualTo(bigSha);
        assertThat(agent.awaitExit(Duration.ofSeconds(30))).as(agent.log()).isZero();
        assertThat(agent.logLines("draining (SIGTERM)")).as(agent.log()).singleElement().asString()
                .contains("(the relay was told); 2 FTP sessions open");
        assertThat(agent.logLines("drain ended")).singleElement().asString().contains("2 FTP sessions ended, 0 cut");
        assertThat(agent.log()).doesNotContain("Exception");
        assertThat(relay.isAlive()).isTrue();
        try (RawFtp after = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort)) {
            assertThat(after.reply()).startsWith("421 Service not available: " + NAME + " is offline");
        }
    }

    @Test
    void theAgentsSecondSigtermStopsAtOnce() throws Exception {
        start();
        startAgent();
        Path out = temp.resolve("big.out");
        CompletableFuture<Programs.Result> curl = download(out, "20M");
        awaitBytes(out, 20L << 20);
        agent.signal("TERM");
        agent.awaitLog("draining (SIGTERM)", Duration.ofSeconds(10));
        agent.signal("TERM");
        assertThat(agent.awaitExit(Duration.ofSeconds(15))).as(agent.log()).isEqualTo(143);
        assertThat(agent.logLines("second SIGTERM: stopping now")).hasSize(1);
        Programs.Result done = curl.get();
        assertThat(done.exit()).as(done.err()).isNotZero();
        assertThat(done.err()).doesNotContain("< 226");
    }

    @Test
    void aRestartWithTheSameDataDirLosesNothing() throws Exception {
        start();
        startAgent();
        Programs.Result listBefore = FerryJar.run(FerryJar.RELAY, "tunnel", "list", "--data-dir", data.toString());
        assertThat(listBefore.exit()).as(listBefore.err()).isZero();
        String certBefore = relay.logLines("listening for agents").get(0).replaceAll(".*certificate (sha256:\\S+).*", "$1");
        Path ftpsCert = data.resolve("ftps");
        String ftpsBefore = directoryDigest(ftpsCert);

        relay.signal("TERM");
        assertThat(relay.awaitExit(Duration.ofSeconds(30))).as(relay.log()).isZero();
        agent.awaitLog("reconnecting", Duration.ofSeconds(10));
        relay = startRelay();
        agent.awaitLog("is live at", Duration.ofSeconds(60));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> agent.logLines("is live at").size() == 2);
        relay.awaitLog("listening for FTP clients on", Duration.ofSeconds(10));

        assertThat(relay.logLines("listening for agents").get(0)).contains(certBefore);
        assertThat(directoryDigest(ftpsCert)).isEqualTo(ftpsBefore);
        Programs.Result listAfter = FerryJar.run(FerryJar.RELAY, "tunnel", "list", "--data-dir", data.toString());
        assertThat(listAfter.out()).isEqualTo(listBefore.out());
        Path out = temp.resolve("big.out");
        Programs.Result done = download(out, "2000M").get();
        assertThat(done.exit()).as(done.err()).isZero();
        assertThat(Checksums.sha256(out)).isEqualTo(bigSha);
    }

    private static String directoryDigest(Path dir) throws Exception {
        StringBuilder all = new StringBuilder();
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                all.append(dir.relativize(f)).append('=').append(Checksums.sha256(f)).append('\n');
            }
        }
        return all.toString();
    }
}
