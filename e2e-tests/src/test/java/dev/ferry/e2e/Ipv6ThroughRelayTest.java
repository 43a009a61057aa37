package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A relay with {@code --bind ::1} and a client over IPv6: EPSV leases a port on the address the
 * client reached, and PASV (whose 227 can only name an IPv4 address) is refused with a reply that
 * says to use EPSV.
 */
class Ipv6ThroughRelayTest {
    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture(
            (home, temp) -> Checksums.randomFile(home.resolve("payload.bin"), 4L << 20, 6),
            (host, home, temp) -> EmbeddedUpstream.start(host, home), b -> b.bind(loopback6()));

    private static InetAddress loopback6() {
        try {
            return InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private FTPClient login() throws Exception {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.connect("::1", fixture.tunnel().ftpPort);
        assertThat(ftp.getReplyCode()).isEqualTo(220);
        assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftp.getReplyString()).isTrue();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        return ftp;
    }

    @Test
    void epsvDownloadsAndPasvIsRefusedWithAdviceToUseEpsv() throws Exception {
        FTPClient ftp = login();
        try {
            assertThat(ftp.getRemoteAddress().getHostAddress()).isIn("0:0:0:0:0:0:0:1", "::1");
            assertThat(ftp.sendCommand("PASV")).isEqualTo(502);
            assertThat(ftp.getReplyString()).contains("use EPSV");
            ftp.enterLocalPassiveMode(); // over IPv6 commons-net sends EPSV
            Path down = fixture.temp().resolve("epsv6.bin");
            try (OutputStream out = Files.newOutputStream(down)) {
                assertThat(ftp.retrieveFile("payload.bin", out)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(fixture.home().resolve("payload.bin")));
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void eprtOverIpv6Downloads() throws Exception {
        FTPClient ftp = login();
        try {
            ftp.enterLocalActiveMode(); // over IPv6 commons-net sends EPRT |2|::1|port|
            Path down = fixture.temp().resolve("eprt6.bin");
            try (OutputStream out = Files.newOutputStream(down)) {
                assertThat(ftp.retrieveFile("payload.bin", out)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(fixture.home().resolve("payload.bin")));
        } finally {
            ftp.disconnect();
        }
    }
}
