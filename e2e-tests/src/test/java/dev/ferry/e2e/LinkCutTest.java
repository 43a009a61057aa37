package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.ferry.relay.link.ConnectedAgents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.net.ftp.FTPClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent link cut like a cable (every packet dropped, no FIN, no RST) by a proxy between agent
 * and relay: a short cut is ridden out, a long one is noticed by both ends within the keepalive
 * bound (running transfers are reset, never ended cleanly short; new clients get 421 at once), and
 * the agent links again within its backoff once the relay is reachable. The long cut makes this
 * class take about a minute: the cut must outlast the keepalive bound and several backoff rounds.
 */
class LinkCutTest {
    private static final long FILE_SIZE = 64L << 20;
    /** The relay's keepalive bound (10 s + 5 s) plus room for a loaded CI machine. */
    private static final Duration DETECTION_BOUND = Duration.ofSeconds(25);
    /** The agent's keepalive bound (10 s + 10 s) plus the same room. */
    private static final Duration AGENT_DETECTION_BOUND = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    Path home;
    String expected;
    EmbeddedUpstream upstream;
    Tunnel tunnel;
    CuttableProxy proxy;
    LogCapture relayLog;
    LogCapture agentLog;

    @BeforeEach
    void start() throws Exception {
        home = Files.createDirectories(temp.resolve("home"));
        expected = Checksums.sha256(Checksums.randomFile(home.resolve("big.bin"), FILE_SIZE, 8));
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")));
        proxy = CuttableProxy.start(new java.net.InetSocketAddress("127.0.0.1", tunnel.relay.agentPort()));
        relayLog = LogCapture.of(ConnectedAgents.class);
        agentLog = LogCapture.of(dev.ferry.agent.nodes.NodeLink.class); // each relay node's link logs its own losses and retries
        tunnel.startAgent(upstream.address(), proxy.port());
    }

    @AfterEach
    void stop() throws Exception {
        relayLog.close();
        agentLog.close();
        proxy.restore();
        tunnel.close();
        proxy.close();
        upstream.close();
    }

    @Test
    void aFiveSecondCutIsRiddenOutAndTheRunningDownloadCompletesWhole() throws Exception {
        FTPClient ftp = tunnel.login();
        try {
            ftp.setDataTimeout(Duration.ofSeconds(60));
            InputStream in = ftp.retrieveFileStream("big.bin");
            SlowReader reader = new SlowReader(in, 8 << 20);
            CompletableFuture<String> sha = CompletableFuture.supplyAsync(reader::sha256);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> reader.count.get() > 4 << 20);
            proxy.cut();
            Thread.sleep(5_000);
            proxy.restore();
            assertThat(sha.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(ftp.completePendingCommand()).as(ftp.getReplyString()).isTrue();
            assertThat(relayLog.lines(Level.WARN)).as("the relay kept the agent").isEmpty();
        } finally {
            ftp.disconnect();
        }
        assertThat(downloadSha()).isEqualTo(expected);
    }

    @Test
    void aLongCutResetsTheRunningDownloadTells421AtOnceAndTheAgentComesBackWithinItsBackoff() throws Exception {
        FTPClient ftp = tunnel.login();
        ftp.setDataTimeout(Duration.ofSeconds(120));
        InputStream in = ftp.retrieveFileStream("big.bin");
        SlowReader reader = new SlowReader(in, 2 << 20);
        CompletableFuture<String> sha = CompletableFuture.supplyAsync(reader::sha256);
        CompletableFuture<Long> ended = sha.handle((done, error) -> System.nanoTime());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> reader.count.get() > 4 << 20);

        int dialsBeforeCut = proxy.accepted();
        long cutAt = System.nanoTime();
        proxy.cut();
        Awaitility.await().atMost(DETECTION_BOUND).until(() -> relayLog.contains(Level.WARN, "agent link from"));
        long relayNoticed = System.nanoTime();
        assertThat(relayLog.lines(Level.WARN).get(0)).contains(Tunnel.NAME).contains("lost");
        Awaitility.await().atMost(AGENT_DETECTION_BOUND).until(() -> agentLog.contains(Level.WARN, "link to relay"));
        long agentNoticed = System.nanoTime();
        assertThat(agentLog.lines(Level.WARN).get(0)).contains("lost").contains("keepalive")
                .doesNotContain("\n").doesNotContain("Channel Pipeline");

        // The running download fails with a reset, never a clean end on a short file.
        assertThatThrownBy(() -> sha.get(DETECTION_BOUND.toSeconds(), TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(SocketException.class);
        long clientSawError = ended.get();
        assertThat(reader.count.get()).isLessThan(FILE_SIZE);
        ftp.disconnect();

        // While no agent is linked, a new client gets 421 at once (not after the 10 s stream timeout).
        long asked = System.nanoTime();
        assertThat(greeting()).startsWith("421 ").contains("offline");
        long answered = System.nanoTime();
        assertThat(Duration.ofNanos(answered - asked)).isLessThan(Duration.ofSeconds(5));

        // 40 s of cut in all; then the relay is reachable again.
        Thread.sleep(Math.max(0, Duration.ofSeconds(40).toMillis() - Duration.ofNanos(System.nanoTime() - cutAt).toMillis()));
        long restoredAt = System.nanoTime();
        proxy.restore();
        // Backoff is at most 30 s; an attempt that started during the cut completes once the path is back.
        Awaitility.await().atMost(Duration.ofSeconds(35)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> greeting().startsWith("220"));
        long linked = System.nanoTime();
        // Every failed attempt really dialled (gRPC's own reconnect backoff, stacked on the agent's,
        // used to fail attempts at once without dialling, and the agent came back late).
        long failedAttempts = agentLog.lines(Level.WARN).stream().filter(l -> l.startsWith("cannot link")).count();
        assertThat(failedAttempts).isPositive();
        assertThat(proxy.accepted() - dialsBeforeCut).as("dials during and after the cut")
                .isGreaterThanOrEqualTo((int) failedAttempts + 1);
        assertThat(downloadSha()).isEqualTo(expected);
        System.out.printf("LinkCutTest: relay noticed %.1f s, agent %.1f s, client reset %.1f s after the cut; "
                + "421 in %d ms; linked again %.1f s after the 40 s cut ended%n",
                seconds(relayNoticed - cutAt), seconds(agentNoticed - cutAt), seconds(clientSawError - cutAt),
                TimeUnit.NANOSECONDS.toMillis(answered - asked), seconds(linked - restoredAt));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private String downloadSha() throws IOException {
        FTPClient ftp = tunnel.login();
        try {
            InputStream in = ftp.retrieveFileStream("big.bin");
            String sha = Checksums.sha256(in);
            assertThat(ftp.completePendingCommand()).as(ftp.getReplyString()).isTrue();
            return sha;
        } finally {
            ftp.disconnect();
        }
    }

    private String greeting() throws IOException {
        try (Socket s = new Socket(Tunnel.RELAY_HOST, tunnel.ftpPort)) {
            s.setSoTimeout(15_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    /** Reads a download at a set pace, so that it is still running when the link is cut. */
    private static final class SlowReader {
        final AtomicLong count = new AtomicLong();
        private final InputStream in;
        private final long bytesPerSecond;
        private final long started = System.nanoTime();

        SlowReader(InputStream in, long bytesPerSecond) {
            this.in = in;
            this.bytesPerSecond = bytesPerSecond;
        }

        String sha256() {
            try {
                return Checksums.sha256(new java.io.FilterInputStream(in) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, Math.min(len, 64 * 1024));
                        if (n > 0) {
                            pace(count.addAndGet(n));
                        }
                        return n;
                    }
                });
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private void pace(long total) throws IOException {
            long due = started + total * 1_000_000_000L / bytesPerSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }
}
