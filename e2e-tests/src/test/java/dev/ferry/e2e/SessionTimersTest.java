package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.relay.config.Limits;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The relay's login deadline and idle timeout (2 s each here) against sessions they must not cut:
 * explicit FTPS kept busy inside TLS (the relay terminates it and reads every command), and an
 * active-mode download that outlasts the idle timeout without a command on the control connection.
 */
class SessionTimersTest {
    private static final Duration SHORT = Duration.ofSeconds(2);
    private static final Limits LIMITS = new Limits(20, 1000, 20, SHORT, SHORT, 3, 10, Duration.ofMinutes(15));

    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture(
            (home, temp) -> Checksums.randomFile(home.resolve("payload.bin"), 32L << 20, 8),
            (host, home, temp) -> EmbeddedUpstream.startFtps(host, home, temp.resolve("keys")), b -> b.limits(LIMITS));

    @Test
    void anFtpsSessionTheRelayTerminatesIsTimedInsideTlsAndItsIdleTimeoutIsAReplyTheClientReads() throws Exception {
        FTPSClient ftps = new FTPSClient(false);
        ftps.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
        ftps.setDefaultTimeout(20_000);
        ftps.connect(Tunnel.RELAY_HOST, fixture.tunnel().ftpPort); // AUTH TLS, answered by the relay
        try {
            assertThat(ftps.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftps.getReplyString()).isTrue();
            ftps.execPBSZ(0);
            ftps.execPROT("P");
            assertThat(ftps.getReplyCode()).isEqualTo(200);
            ftps.setFileType(FTP.BINARY_FILE_TYPE);
            ftps.enterLocalPassiveMode();
            // Busy inside TLS for longer than the login deadline and the idle timeout: never cut.
            for (int i = 0; i < 6; i++) {
                Thread.sleep(SHORT.toMillis() / 2);
                assertThat(ftps.sendNoOp()).as("NOOP inside TLS: %s", ftps.getReplyString()).isTrue();
            }
            Path down = fixture.temp().resolve("ftps-down.bin");
            try (OutputStream out = Files.newOutputStream(down)) {
                assertThat(ftps.retrieveFile("payload.bin", out)).as(ftps.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(fixture.home().resolve("payload.bin")));
            // Idle: the relay reads the session, so it ends it with a 421 inside TLS, which the client reads.
            Thread.sleep(SHORT.multipliedBy(3).toMillis());
            assertThatThrownBy(ftps::sendNoOp).isInstanceOf(FTPConnectionClosedException.class)
                    .hasMessageContaining("421");
        } finally {
            ftps.disconnect();
        }
    }

    @Test
    void anActiveDownloadLongerThanTheIdleTimeoutCompletesAndTheSessionStaysUsable() throws Exception {
        FTPClient ftp = fixture.tunnel().login();
        try {
            ftp.enterLocalActiveMode();
            ftp.setReceieveDataSocketBufferSize(64 * 1024);
            long started = System.nanoTime();
            Path down = fixture.temp().resolve("active-slow.bin");
            try (InputStream in = ftp.retrieveFileStream("payload.bin"); OutputStream out = Files.newOutputStream(down)) {
                assertThat(in).as(ftp.getReplyString()).isNotNull();
                byte[] chunk = new byte[256 * 1024];
                for (int n; (n = in.readNBytes(chunk, 0, chunk.length)) > 0; ) {
                    out.write(chunk, 0, n);
                    Thread.sleep(35); // about 7 MiB/s: 32 MiB take over twice the idle timeout
                }
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(SHORT.multipliedBy(2));
            assertThat(ftp.completePendingCommand()).as(ftp.getReplyString()).isTrue();
            assertThat(ftp.getReplyCode()).isEqualTo(226);
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(fixture.home().resolve("payload.bin")));
            assertThat(ftp.sendNoOp()).as(ftp.getReplyString()).isTrue();
        } finally {
            ftp.disconnect();
        }
    }
}
