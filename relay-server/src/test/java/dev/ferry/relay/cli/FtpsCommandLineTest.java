package dev.ferry.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.RelayState;
import dev.ferry.relay.cli.RelayCommandLineTest.Run;
import dev.ferry.relay.ftps.FtpsCertificates;
import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.TlsPolicy;
import dev.ferry.relay.tunnel.TunnelStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FTPS flags of {@code tunnel add}, {@code tunnel cert} and {@code serve}. */
class FtpsCommandLineTest {
    @TempDir
    Path dataDir;

    @TempDir
    Path elsewhere;

    private static Run run(String... args) {
        return RelayCommandLineTest.run(args);
    }

    @BeforeEach
    void relayHasRun() {
        new RelayState(dataDir).write("203.0.113.7", 7835, false, RelayCertificate.loadOrGenerate(dataDir, new SecureRandom()));
    }

    @Test
    void addWithoutCertificateGeneratesOneForTheDomainAndPrintsItsFingerprint() {
        Run r = run("tunnel", "add", "alice.ftp.example.net", "--ftp-port", "2121", "--require-tls",
                "--require-tls-reuse", "--data-dir", dataDir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        RelayCertificate made = RelayCertificate.load(new FtpsCertificates(dataDir).certFile("alice.ftp.example.net"),
                new FtpsCertificates(dataDir).keyFile("alice.ftp.example.net"));
        assertThat(r.out()).contains("FTPS: generated a self-signed certificate for alice.ftp.example.net; fingerprint "
                + made.pin());
        assertThat(new TunnelStore(dataDir).find("alice.ftp.example.net").orElseThrow().tls())
                .isEqualTo(new TlsPolicy(true, true));
        assertThat(run("tunnel", "list", "--data-dir", dataDir.toString()).out())
                .contains("ftp port 2121, requires TLS, requires TLS reuse");
    }

    @Test
    void addWithCertificateCopiesItInAndCertReplacesIt() {
        SecureRandom random = new SecureRandom();
        RelayCertificate given = RelayCertificate.generate(elsewhere.resolve("c.pem"), elsewhere.resolve("k.pem"),
                "alice.ftp.example.net", random);
        Run add = run("tunnel", "add", "alice.ftp.example.net", "--ftp-port", "2121", "--cert", given.certFile().toString(),
                "--key", given.keyFile().toString(), "--data-dir", dataDir.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).contains("FTPS certificate for alice.ftp.example.net installed from " + given.certFile()
                + "; fingerprint " + given.pin());

        RelayCertificate next = RelayCertificate.generate(elsewhere.resolve("n.pem"), elsewhere.resolve("n.key"),
                "alice.ftp.example.net", random);
        Run cert = run("tunnel", "cert", "alice.ftp.example.net", "--cert", next.certFile().toString(),
                "--key", next.keyFile().toString(), "--data-dir", dataDir.toString());
        assertThat(cert.exit()).as(cert.err()).isZero();
        assertThat(cert.out()).contains("fingerprint " + next.pin());

        Run mismatch = run("tunnel", "cert", "alice.ftp.example.net", "--cert", next.certFile().toString(),
                "--key", given.keyFile().toString(), "--data-dir", dataDir.toString());
        assertThat(mismatch.exit()).isEqualTo(2);
        assertThat(mismatch.err()).contains("--cert/--key: the key in " + given.keyFile() + " does not match");

        Run half = run("tunnel", "cert", "alice.ftp.example.net", "--cert", next.certFile().toString(),
                "--data-dir", dataDir.toString());
        assertThat(half.exit()).isEqualTo(2);
        assertThat(half.err()).contains("--cert and --key must be given together");

        Run unknown = run("tunnel", "cert", "bob.ftp.example.net", "--data-dir", dataDir.toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no tunnel named bob.ftp.example.net");

        assertThat(run("tunnel", "remove", "alice.ftp.example.net", "--data-dir", dataDir.toString()).exit()).isZero();
        assertThat(new FtpsCertificates(dataDir).exists("alice.ftp.example.net")).isFalse();
    }

    @Test
    void serveNamesTheFtpsFlags() {
        Run half = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--ftps-cert", "/tmp/x.pem");
        assertThat(half.exit()).isEqualTo(2);
        assertThat(half.err()).contains("--ftps-cert and --ftps-key must be given together");
        Run listen = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--ftps-listen", "nowhere");
        assertThat(listen.exit()).isEqualTo(2);
        assertThat(listen.err()).contains("--ftps-listen");
    }
}
