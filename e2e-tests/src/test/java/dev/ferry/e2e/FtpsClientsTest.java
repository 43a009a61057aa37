package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.config.FtpsSettings;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FTPS clients other than curl through the relay, FTPS terminated there, Apache FtpServer (plain) behind
 * the agent: Python's ftplib {@code FTP_TLS} with {@code prot_p()} (PASV and active), commons-net
 * {@code FTPSClient} explicit (EPSV and active) and implicit (SNI), and lftp with its default settings.
 * Every transfer is PROT P with equal SHA-256. 32 MiB each way per client (the size the brief asks
 * for) makes this class take 20-40 s on the shared 2-core CI machine.
 */
class FtpsClientsTest {
    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture((home, temp) -> {
        Checksums.randomFile(home.resolve("big.bin"), 32L << 20, 21);
        Checksums.randomFile(temp.resolve("upload.bin"), 32L << 20, 22);
    }, TlsPolicy.NONE, b -> b.ftps(new FtpsSettings(null, null, new HostPort(Tunnel.RELAY_HOST, 0))));

    private static String sha(String name) throws IOException {
        return Checksums.sha256(fixture.home().resolve(name));
    }

    private static Path upload() {
        return fixture.temp().resolve("upload.bin");
    }

    private static Programs.Result ftplib(String mode, String uploadAs) throws Exception {
        Path script = fixture.temp().resolve("ftplib_tls.py");
        try (InputStream in = FtpsClientsTest.class.getResourceAsStream("/ftplib_tls.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return Programs.run(120, List.of("python3", script.toString(), Tunnel.RELAY_HOST,
                Integer.toString(fixture.tunnel().ftpPort), mode, "big.bin", upload().toString(), uploadAs));
    }

    @Test
    void ftplibProtPInPasv() throws Exception {
        Programs.Result r = ftplib("passive", "ftplib-pasv.bin");
        assertThat(r.exit()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("login 230").contains("prot 200 PROT P").contains("nlst big.bin")
                .contains("retr 226").contains("sha256 " + sha("big.bin")).contains("stor 226");
        assertThat(sha("ftplib-pasv.bin")).isEqualTo(Checksums.sha256(upload()));
    }

    @Test
    void ftplibProtPInActiveMode() throws Exception {
        Programs.Result r = ftplib("active", "ftplib-active.bin");
        assertThat(r.exit()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("retr 226").contains("sha256 " + sha("big.bin")).contains("stor 226");
        assertThat(sha("ftplib-active.bin")).isEqualTo(Checksums.sha256(upload()));
    }

    /** commons-net, explicit: AUTH TLS, PBSZ 0, PROT P; EPSV or active (EPRT) as asked. */
    private static FTPSClient explicitLogin(boolean active) throws IOException {
        FTPSClient ftps = new FTPSClient("TLS", false);
        ftps.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
        ftps.setDefaultTimeout(20_000);
        ftps.setDataTimeout(Duration.ofSeconds(20));
        ftps.connect(Tunnel.RELAY_HOST, fixture.tunnel().ftpPort);
        assertThat(ftps.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftps.getReplyString()).isTrue();
        ftps.execPBSZ(0);
        assertThat(ftps.getReplyString()).startsWith("200 PBSZ=0");
        ftps.execPROT("P");
        assertThat(ftps.getReplyCode()).isEqualTo(200);
        ftps.setFileType(FTP.BINARY_FILE_TYPE);
        if (active) {
            ftps.enterLocalActiveMode();
            ftps.setActivePortRange(0, 0);
        } else {
            ftps.enterLocalPassiveMode();
            ftps.setUseEPSVwithIPv4(true);
        }
        return ftps;
    }

    private static void downloadAndUpload(FTPSClient ftps, String uploadAs) throws IOException {
        try (InputStream in = ftps.retrieveFileStream("big.bin")) {
            assertThat(Checksums.sha256(in)).isEqualTo(sha("big.bin"));
        }
        assertThat(ftps.completePendingCommand()).as(ftps.getReplyString()).isTrue();
        try (InputStream in = Files.newInputStream(upload())) {
            assertThat(ftps.storeFile(uploadAs, in)).as(ftps.getReplyString()).isTrue();
        }
        assertThat(sha(uploadAs)).isEqualTo(Checksums.sha256(upload()));
        assertThat(ftps.listNames()).contains("big.bin", uploadAs);
    }

    @Test
    void commonsNetExplicitEpsv() throws Exception {
        FTPSClient ftps = explicitLogin(false);
        try {
            downloadAndUpload(ftps, "commons-epsv.bin");
            assertThat(ftps.getReplyStrings()).isNotEmpty();
        } finally {
            ftps.disconnect();
        }
    }

    @Test
    void commonsNetExplicitActive() throws Exception {
        FTPSClient ftps = explicitLogin(true);
        try {
            downloadAndUpload(ftps, "commons-active.bin");
        } finally {
            ftps.disconnect();
        }
    }

    /** Implicit FTPS with the tunnel's name as SNI (commons-net sends {@code _hostname_} as SNI). */
    static final class SniFtpsClient extends FTPSClient {
        SniFtpsClient() {
            super(true);
        }

        @Override
        protected void _connectAction_() throws IOException {
            _hostname_ = Tunnel.NAME;
            super._connectAction_();
        }
    }

    @Test
    void commonsNetImplicitBySni() throws Exception {
        FTPSClient ftps = new SniFtpsClient();
        ftps.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
        ftps.setDefaultTimeout(20_000);
        ftps.connect(InetAddress.getByName(Tunnel.RELAY_HOST), fixture.tunnel().relay.implicitFtpsPort().orElseThrow());
        try {
            assertThat(ftps.getReplyCode()).isEqualTo(220);
            assertThat(ftps.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftps.getReplyString()).isTrue();
            ftps.execPBSZ(0);
            ftps.execPROT("P");
            ftps.setFileType(FTP.BINARY_FILE_TYPE);
            ftps.enterLocalPassiveMode();
            downloadAndUpload(ftps, "commons-implicit.bin");
        } finally {
            ftps.disconnect();
        }
    }

    @Test
    void lftpWithDefaultSettings() throws Exception {
        Path out = fixture.temp().resolve("lftp.bin");
        Programs.Result r = Programs.run(120, List.of("lftp", "-d", "-c", String.join("; ",
                "set ssl:verify-certificate no", "set net:max-retries 1", "set net:timeout 20",
                "open -u " + EmbeddedUpstream.USER + "," + EmbeddedUpstream.PASSWORD + " -p "
                        + fixture.tunnel().ftpPort + " " + Tunnel.RELAY_HOST,
                "get big.bin -o " + out, "put " + upload() + " -o lftp-up.bin", "cls -1")));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("---> AUTH TLS").contains("<--- 234").contains("---> PROT P")
                .contains("<--- 200 PROT P");
        assertThat(r.out()).contains("big.bin").contains("lftp-up.bin");
        assertThat(Checksums.sha256(out)).isEqualTo(sha("big.bin"));
        assertThat(sha("lftp-up.bin")).isEqualTo(Checksums.sha256(upload()));
    }
}
