package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.link.LinkWindow;
import dev.ferry.link.tls.CertificatePin;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that stop reading cannot take a tunnel down (issue 8): a relay in its own JVM with 128 MiB
 * of direct memory holds {@value #STALLED} downloads whose clients never read, from three client IPs
 * within the default per-IP limits, while another client downloads a large file through the same
 * agent link with an equal SHA-256. The relay never runs out of direct memory, the agent link is
 * never reset, and once the stalled clients close the relay's direct memory is back near where it
 * started. Direct memory is read with {@code jcmd VM.native_memory} (NMT's "Other" holds NIO direct
 * buffers).
 */
class StalledReadersTest {
    private static final String HOST = "127.0.0.25";
    private static final String NAME = "stalled.ftp.example.net";
    private static final String[] CLIENT_IPS = {"127.0.0.26", "127.0.0.27", "127.0.0.28"};
    private static final String FAST_CLIENT_IP = "127.0.0.29";
    private static final int STALLED = 48;
    private static final long FILE = 96L << 20;
    private static final long MAX_DIRECT = 128L << 20;
    private static final long RETAINED_CACHE = 64L << 20;
    private static final Pattern NMT_OTHER = Pattern.compile("-\\s+Other \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    @TempDir
    static Path temp;

    static EmbeddedUpstream upstream;
    static Process relay;
    static Path relayLog;
    static Agent agent;
    static CompletableFuture<LinkOutcome> agentRun;
    static int ftpPort;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        file = Checksums.randomFile(home.resolve("big.bin"), FILE, 8);
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        Path data = Files.createDirectories(temp.resolve("relay"));
        ftpPort = FreePorts.find(HOST);
        int agentPort = FreePorts.find("127.0.0.1");
        int[] passive = FreePorts.range(HOST, 120);
        String token = AgentToken.generate(new SecureRandom());
        new TunnelStore(data).add(new dev.ferry.relay.tunnel.Tunnel(NAME, ftpPort, AgentToken.sha256Hex(token)));
        relayLog = temp.resolve("relay.log");
        relay = new ProcessBuilder(javaBinary("java"), "-XX:MaxDirectMemorySize=" + (MAX_DIRECT >> 20) + "m",
                "-XX:NativeMemoryTracking=summary", "-cp", System.getProperty("java.class.path"),
                "dev.ferry.relay.cli.RelayMain", "serve", "--data-dir", data.toString(), "--public-address", HOST,
                "--bind", HOST, "--agent-listen", "127.0.0.1:" + agentPort,
                "--passive-ports", passive[0] + "-" + passive[1], "--event-loop-threads", "2")
                .redirectErrorStream(true).redirectOutput(relayLog.toFile()).start();
        Path state = data.resolve("relay.properties");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> pin(state) != null);
        agent = new Agent(new AgentConfig("127.0.0.1", agentPort, token, CertificatePin.parse(pin(state)), false,
                upstream.address(), 1, LinkWindow.DEFAULT), new SecureRandom());
        agentRun = CompletableFuture.supplyAsync(agent::run);
        assertThat(agent.awaitLive(Duration.ofSeconds(30))).as("agent live; relay log:%n%s", log()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log().contains("listening for FTP clients"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
            agentRun.get(10, TimeUnit.SECONDS);
        }
        if (relay != null) {
            relay.destroy();
            if (!relay.waitFor(10, TimeUnit.SECONDS)) {
                relay.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void manyStalledReadersNeitherExhaustMemoryNorResetTheLinkWhileAnotherClientDownloads() throws Exception {
        long baseline = directMemory();
        List<FTPClient> stalled = new ArrayList<>();
        List<InputStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED; i++) {
                FTPClient ftp = login(CLIENT_IPS[i % CLIENT_IPS.length]);
                ftp.setReceiveBufferSize(4096);
                stalled.add(ftp);
                InputStream in = ftp.retrieveFileStream("big.bin");
                assertThat(in).as("RETR %d: %s", i, ftp.getReplyString()).isNotNull();
                streams.add(in); // and never read
            }
            Thread.sleep(2000); // let every stalled download fill what the relay grants it
            long stalledPeak = directMemory();

            FTPClient fast = login(FAST_CLIENT_IP);
            Path copy = temp.resolve("copy.bin");
            long started = System.nanoTime();
            try (OutputStream out = Files.newOutputStream(copy)) {
                assertThat(fast.retrieveFile("big.bin", out)).as(fast.getReplyString()).isTrue();
            } finally {
                fast.disconnect();
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(Checksums.sha256(copy)).isEqualTo(Checksums.sha256(file));
            long afterFast = directMemory();
            System.out.printf("relay direct memory: %d MiB at start, %d MiB with %d stalled readers, %d MiB after "
                    + "a %d MiB download beside them (%d ms)%n", baseline >> 20, stalledPeak >> 20, STALLED,
                    afterFast >> 20, FILE >> 20, millis);
            assertThat(Math.max(stalledPeak, afterFast)).as("relay direct memory").isLessThan(MAX_DIRECT * 3 / 4);
        } finally {
            for (InputStream in : streams) {
                closeQuietly(in);
            }
            for (FTPClient ftp : stalled) {
                closeQuietly((AutoCloseable) ftp::disconnect);
            }
        }
        // Back near the start: what stays is Netty's allocator cache (a few chunks of up to 8 MiB, whatever
        // the number of readers), measured 40-51 MiB; without the budget 20 stalled readers held 540 MiB.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> directMemory() <= baseline + RETAINED_CACHE);
        System.out.printf("relay direct memory after the stalled clients closed: %d MiB%n", directMemory() >> 20);

        String log = log();
        assertThat(log).doesNotContain("OutOfMemoryError").doesNotContain("GOAWAY");
        assertThat(log.split("agent connected", -1)).as("one agent link for the whole test:%n%s", log).hasSize(2);
        assertThat(log).doesNotContain("disconnected");
        assertThat(agentRun).isNotDone();
        assertThat(relay.isAlive()).isTrue();
    }

    private static FTPClient login(String localIp) throws Exception {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(30_000);
        ftp.setDataTimeout(Duration.ofSeconds(60));
        InetAddress local = InetAddress.getByName(localIp);
        ftp.connect(InetAddress.getByName(HOST), ftpPort, local, 0);
        assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftp.getReplyString()).isTrue();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        ftp.enterLocalPassiveMode();
        ftp.setPassiveLocalIPAddress(local); // the relay takes a passive connection only from the control connection's IP
        return ftp;
    }

    /** The relay's committed NIO direct memory (NMT "Other"), in bytes. */
    private static long directMemory() throws Exception {
        Programs.Result nmt = Programs.run(30, List.of(javaBinary("jcmd"), Long.toString(relay.pid()),
                "VM.native_memory", "summary", "scale=KB"));
        Matcher m = NMT_OTHER.matcher(nmt.out());
        assertThat(m.find()).as("jcmd VM.native_memory output:%n%s%s", nmt.out(), nmt.err()).isTrue();
        return Long.parseLong(m.group(1)) << 10;
    }

    private static String pin(Path state) throws Exception {
        if (!Files.exists(state)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(state)) {
            p.load(in);
        }
        return p.getProperty("pin");
    }

    private static String log() throws Exception {
        return Files.exists(relayLog) ? Files.readString(relayLog) : "";
    }

    private static String javaBinary(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // the stalled client is going away either way
        }
    }
}
