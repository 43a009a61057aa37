package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.cli.RelayMain;
import dev.ferry.relay.config.FtpsSettings;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.ftps.FtpsCertificates;
import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * curl (OpenSSL) through the relay with FTPS terminated there: explicit ({@code --ssl-reqd}, which
 * sends AUTH SSL first) and implicit ({@code ftps://}, SNI picks the tunnel), PROT P downloads and
 * uploads with equal SHA-256 in PASV and EPSV, a resumed download, and a tunnel that demands TLS
 * session reuse (curl resumes the control connection's session, so it passes). Active mode is covered
 * with other clients: curl 7.88 (Debian 12) never starts TLS on an active data connection (curl#10666,
 * fixed in curl 8.0).
 */
class FtpsCurlTest {
    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture((home, temp) -> {
        Files.writeString(home.resolve("readme.txt"), "ftps was here\n");
        Checksums.randomFile(home.resolve("big.bin"), 48L << 20, 11);
        Checksums.randomFile(temp.resolve("upload.bin"), 32L << 20, 12);
    }, new TlsPolicy(false, true), b -> b.ftps(new FtpsSettings(null, null, new HostPort(Tunnel.RELAY_HOST, 0))));

    static Programs.Result curl(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-v", "-k", "--max-time", "60"));
        command.addAll(args);
        return Programs.run(90, command);
    }

    private static String explicitUrl(String path) {
        return "ftp://" + EmbeddedUpstream.USER + ":" + EmbeddedUpstream.PASSWORD + "@" + Tunnel.RELAY_HOST + ":"
                + fixture.tunnel().ftpPort + "/" + path;
    }

    private static Path home(String name) {
        return fixture.home().resolve(name);
    }

    /** The tunnel requires TLS session reuse: every transfer here passing is curl resuming the control session. */
    @Test
    void explicitPasvDownloadIsProtectedAndWhole() throws Exception {
        Path out = fixture.temp().resolve("pasv.bin");
        Programs.Result r = curl(List.of("--ssl-reqd", "--disable-epsv", "-o", out.toString(), explicitUrl("big.bin")));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("> AUTH SSL").contains("< 234 ").contains("> PBSZ 0").contains("< 200 PBSZ=0")
                .contains("> PROT P").contains("< 200 PROT P").containsPattern("< 227 .*\\(127,0,0,5,\\d+,\\d+\\)");
        assertThat(Checksums.sha256(out)).isEqualTo(Checksums.sha256(home("big.bin")));
    }

    @Test
    void explicitEpsvUploadIsWhole() throws Exception {
        Path upload = fixture.temp().resolve("upload.bin");
        Programs.Result r = curl(List.of("--ssl-reqd", "-T", upload.toString(), explicitUrl("uploaded-epsv.bin")));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("< 229 .*\\(\\|\\|\\|\\d+\\|\\)");
        assertThat(Checksums.sha256(home("uploaded-epsv.bin"))).isEqualTo(Checksums.sha256(upload));
    }

    @Test
    void resumedDownloadGetsTheRest() throws Exception {
        Path out = fixture.temp().resolve("resumed.bin");
        byte[] whole = Files.readAllBytes(home("big.bin"));
        Files.write(out, java.util.Arrays.copyOf(whole, 5_000_000));
        Programs.Result r = curl(List.of("--ssl-reqd", "-C", "-", "-o", out.toString(), explicitUrl("big.bin")));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("> REST 5000000");
        assertThat(Checksums.sha256(out)).isEqualTo(Checksums.sha256(home("big.bin")));
    }

    @Test
    void implicitFtpsPicksTheTunnelBySni() throws Exception {
        int port = fixture.tunnel().relay.implicitFtpsPort().orElseThrow();
        Path out = fixture.temp().resolve("implicit.bin");
        Programs.Result r = curl(List.of("--resolve", Tunnel.NAME + ":" + port + ":" + Tunnel.RELAY_HOST,
                "-o", out.toString(), "ftps://" + EmbeddedUpstream.USER + ":" + EmbeddedUpstream.PASSWORD + "@"
                        + Tunnel.NAME + ":" + port + "/big.bin"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("> AUTH").contains("CN=" + Tunnel.NAME);
        assertThat(Checksums.sha256(out)).isEqualTo(Checksums.sha256(home("big.bin")));
    }

    @Test
    void aCertificateReplacedWithTunnelCertIsServedWithoutRestart() throws Exception {
        Path dataDir = fixture.temp().resolve("relay");
        FtpsCertificates certificates = new FtpsCertificates(dataDir);
        boolean had = certificates.exists(Tunnel.NAME); // generated at the first AUTH, if a test ran before
        Path savedCert = fixture.temp().resolve("saved.cert.pem");
        Path savedKey = fixture.temp().resolve("saved.key.pem");
        if (had) {
            Files.copy(certificates.certFile(Tunnel.NAME), savedCert, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(certificates.keyFile(Tunnel.NAME), savedKey, StandardCopyOption.REPLACE_EXISTING);
        }
        RelayCertificate next = RelayCertificate.generate(fixture.temp().resolve("next.pem"),
                fixture.temp().resolve("next.key"), "ftp.replaced.example", new SecureRandom());
        try {
            int exit = RelayMain.commandLine().execute("tunnel", "cert", Tunnel.NAME, "--cert", next.certFile().toString(),
                    "--key", next.keyFile().toString(), "--data-dir", dataDir.toString());
            assertThat(exit).isZero();
            Programs.Result r = curl(List.of("--ssl-reqd", explicitUrl("readme.txt")));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("subject: CN=ftp.replaced.example");
            assertThat(r.out()).isEqualTo("ftps was here\n");
        } finally {
            if (had) {
                certificates.install(Tunnel.NAME, savedCert, savedKey);
            } else {
                certificates.remove(Tunnel.NAME);
            }
        }
    }
}
