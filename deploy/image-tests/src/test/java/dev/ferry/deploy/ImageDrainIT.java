package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.GenericContainer;

/**
 * {@code docker stop} of the relay's or the agent's container while a client downloads through it:
 * Docker sends SIGTERM (the images' STOPSIGNAL), the program drains, and the running download ends
 * complete (226, equal SHA-256) before the container exits by itself, well inside docker stop's
 * timeout (so never by SIGKILL, exit 137). The client reads at a bounded rate so the transfer is
 * still running when the stop begins.
 */
class ImageDrainIT {
    private static final long SIZE = 128L << 20;
    private static final long BYTES_PER_SECOND = 16L << 20;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"relay", "agent"})
    void aRunningDownloadFinishesCompleteWhenTheContainerIsStopped(String program) throws Exception {
        try (DockerTunnel tunnel = DockerTunnel.start(FerryImages.fromSystemProperties(), temp,
                Path.of("target", "container-logs", "ImageDrainIT-" + program))) {
            Path file = tunnel.publish("big.bin", SIZE, 3);
            GenericContainer<?> stopped = program.equals("relay") ? tunnel.relay : tunnel.agent;
            try (FtpClients.Session s = FtpClients.anonymous(DockerTunnel.RELAY_HOST, tunnel.ftpPort)) {
                MessageDigest digest = Checksums.sha256();
                CompletableFuture<Long> exitCode;
                try (InputStream in = s.ftp().retrieveFileStream("pub/big.bin")) {
                    assertThat(in).as(s.transcript().toString()).isNotNull();
                    long read = readPaced(in, digest, SIZE / 8);
                    // docker stop: SIGTERM now, SIGKILL only after STOP_TIMEOUT.
                    exitCode = CompletableFuture.supplyAsync(() -> DockerTunnel.stop(stopped, STOP_TIMEOUT));
                    if (program.equals("relay")) {
                        // The draining relay takes no new sessions: its FTP port closes (or answers 421).
                        Awaitility.await("the relay's FTP port refuses new sessions").atMost(Duration.ofSeconds(20))
                                .pollInterval(Duration.ofMillis(200))
                                .until(() -> refusesNewSessions(DockerTunnel.RELAY_HOST, tunnel.ftpPort));
                    }
                    read += readPaced(in, digest, Long.MAX_VALUE);
                    assertThat(read).isEqualTo(SIZE);
                }
                assertThat(s.ftp().completePendingCommand()).as(s.transcript().toString()).isTrue();
                assertThat(s.ftp().getReplyCode()).isEqualTo(226);
                assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(Checksums.sha256(file));
                assertThat(exitCode.get(STOP_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS))
                        .as(program + " exited by itself after SIGTERM (137 would be docker's SIGKILL)").isIn(0L, 143L);
            }
        }
    }

    /** Reads up to {@code limit} bytes (or to the end) at no more than BYTES_PER_SECOND; the count read. */
    private static long readPaced(InputStream in, MessageDigest digest, long limit) throws IOException,
            InterruptedException {
        byte[] buffer = new byte[64 << 10];
        long read = 0;
        long start = System.nanoTime();
        while (read < limit) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - read));
            if (n < 0) {
                break;
            }
            digest.update(buffer, 0, n);
            read += n;
            long due = start + read * 1_000_000_000L / BYTES_PER_SECOND;
            long ahead = due - System.nanoTime();
            if (ahead > 0) {
                TimeUnit.NANOSECONDS.sleep(ahead);
            }
        }
        return read;
    }

    private static boolean refusesNewSessions(String host, int port) {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(5_000);
            byte[] greeting = new byte[64];
            int n = s.getInputStream().read(greeting);
            return n <= 0 || new String(greeting, 0, n, StandardCharsets.US_ASCII).startsWith("421");
        } catch (IOException e) {
            return true;
        }
    }
}
