package dev.ferry.relay.ftps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.relay.tls.RelayCertificate;
import io.netty.handler.ssl.SslContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates per tunnel on disk: generated for the domain, given as PEM, replaced while running. */
class FtpsContextsTest {
    @TempDir
    Path dataDir;

    @TempDir
    Path elsewhere;

    private final SecureRandom random = new SecureRandom();

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void aTunnelWithoutCertificateGetsASelfSignedOneForItsDomainOnce() throws Exception {
        FtpsCertificates certificates = new FtpsCertificates(dataDir);
        FtpsContexts contexts = new FtpsContexts(certificates, null, null, "203.0.113.7", random, Duration.ofSeconds(10));
        SslContext first = contexts.forTunnel("alice.ftp.example.net");
        assertThat(read(certificates.certFile("alice.ftp.example.net")).getSubjectX500Principal().getName())
                .isEqualTo("CN=alice.ftp.example.net");
        assertThat(contexts.forTunnel("alice.ftp.example.net")).isSameAs(first);
        assertThat(certificates.exists(FtpsCertificates.FALLBACK)).isFalse(); // made only when asked for
        contexts.fallback();
        assertThat(read(certificates.certFile(FtpsCertificates.FALLBACK)).getSubjectX500Principal().getName())
                .isEqualTo("CN=203.0.113.7");
    }

    @Test
    void aReplacedCertificateIsUsedForNewConnectionsWithoutRestart() throws Exception {
        FtpsCertificates certificates = new FtpsCertificates(dataDir);
        FtpsContexts contexts = new FtpsContexts(certificates, null, null, "203.0.113.7", random, Duration.ofSeconds(10));
        SslContext before = contexts.forTunnel("alice.ftp.example.net");
        RelayCertificate other = RelayCertificate.generate(elsewhere.resolve("c.pem"), elsewhere.resolve("k.pem"),
                "ftp.alice.example", random);
        RelayCertificate installed = certificates.install("alice.ftp.example.net", other.certFile(), other.keyFile());
        Files.setLastModifiedTime(certificates.certFile("alice.ftp.example.net"), FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(installed.pin()).isEqualTo(other.pin());
        SslContext after = contexts.forTunnel("alice.ftp.example.net");
        assertThat(after).isNotSameAs(before);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                certificates.keyFile("alice.ftp.example.net")))).isEqualTo("rw-------");
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsRefusedNamingTheFiles() {
        RelayCertificate one = RelayCertificate.generate(elsewhere.resolve("1.pem"), elsewhere.resolve("1.key"), "a.example", random);
        RelayCertificate two = RelayCertificate.generate(elsewhere.resolve("2.pem"), elsewhere.resolve("2.key"), "b.example", random);
        FtpsCertificates certificates = new FtpsCertificates(dataDir);
        assertThatThrownBy(() -> certificates.install("alice.ftp.example.net", one.certFile(), two.keyFile()))
                .hasMessageContaining("does not match").hasMessageContaining("2.key").hasMessageContaining("1.pem");
        assertThat(certificates.exists("alice.ftp.example.net")).isFalse();
        assertThatThrownBy(() -> new FtpsContexts(certificates, one.certFile(), two.keyFile(), "203.0.113.7", random,
                Duration.ofSeconds(10))).hasMessageContaining("does not match");
    }
}
