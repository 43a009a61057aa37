package dev.ferry.relay.tls;

import dev.ferry.link.tls.CertificatePin;
import dev.ferry.link.tls.LinkTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A TLS identity in PEM files: the relay's for the agent link (given files, or generated into the data
 * dir once), and the FTPS certificates of tunnels ({@code dev.ferry.relay.ftps}).
 */
public record RelayCertificate(Path certFile, Path keyFile, CertificatePin pin) {
    public static final String CERT_FILE = "relay-cert.pem";
    public static final String KEY_FILE = "relay-key.pem";

    /**
     * Loads the certificate and key given on the command line, checking that both are there and
     * belong together; every error names its flag and file.
     */
    public static RelayCertificate load(Path certFile, Path keyFile) {
        return load(certFile, keyFile, "--tls-cert", "--tls-key");
    }

    private static RelayCertificate load(Path certFile, Path keyFile, String certLabel, String keyLabel) {
        X509Certificate cert = readCertificate(certFile, certLabel);
        PrivateKey key = KeyFiles.readPrivateKey(keyFile, keyLabel);
        KeyFiles.checkPair(cert, key, certLabel + " " + certFile, keyLabel + " " + keyFile);
        return new RelayCertificate(certFile, keyFile, CertificatePin.of(cert));
    }

    /** Loads the data dir's generated certificate, generating it first if it is not there. */
    public static RelayCertificate loadOrGenerate(Path dataDir, SecureRandom random) {
        Path cert = dataDir.resolve(CERT_FILE);
        Path key = dataDir.resolve(KEY_FILE);
        if (!Files.exists(cert) || !Files.exists(key)) {
            generate(cert, key, random);
        }
        return load(cert, key, "generated certificate", "generated key");
    }

    /** Whether {@link #loadOrGenerate} would find an existing certificate. */
    public static boolean existsIn(Path dataDir) {
        return Files.exists(dataDir.resolve(CERT_FILE)) && Files.exists(dataDir.resolve(KEY_FILE));
    }

    private static X509Certificate readCertificate(Path file, String label) {
        KeyFiles.checkReadable(file, label);
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(label + " " + file + ": cannot read: " + e.getMessage(), e);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(label + " " + file + ": not a PEM X.509 certificate", e);
        }
    }

    private static void generate(Path certFile, Path keyFile, SecureRandom random) {
        generate(certFile, keyFile, LinkTls.RELAY_CERT_NAME, random);
    }

    /**
     * Generates a self-signed ECDSA P-256 certificate for {@code dnsName} (its CN and only SAN),
     * valid ten years, into the two files (the key readable by the owner only), and loads it.
     */
    public static RelayCertificate generate(Path certFile, Path keyFile, String dnsName, SecureRandom random) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = gen.generateKeyPair();
            X500Name subject = new X500Name("CN=" + dnsName);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, random).abs().add(BigInteger.ONE), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            Files.createDirectories(certFile.toAbsolutePath().getParent());
            writePem(keyFile, pair.getPrivate(), true);
            writePem(certFile, cert, false);
            return load(certFile, keyFile);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate the relay certificate", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the relay certificate to " + certFile, e);
        }
    }

    private static void writePem(Path file, Object object, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(object instanceof java.security.PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
        }
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: rely on the directory's permissions
            }
        }
        Files.writeString(tmp, text.toString(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
