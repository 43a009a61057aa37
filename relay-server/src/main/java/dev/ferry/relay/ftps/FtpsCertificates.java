package dev.ferry.relay.ftps;

import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.Tunnel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The FTPS certificates on disk, in the data dir's {@code ftps/} folder: {@code NAME.cert.pem} and
 * {@code NAME.key.pem} per tunnel (given by the operator or generated self-signed for the domain),
 * and {@code _relay.*.pem}, the relay's generated fallback. Shared by the admin commands and a
 * running relay, which notices a replaced pair by its files' modification times.
 */
public final class FtpsCertificates {
    /** The generated fallback's file stem: not a valid tunnel name, so it cannot clash with one. */
    static final String FALLBACK = "_relay";
    private final Path dir;

    public FtpsCertificates(Path dataDir) {
        this.dir = dataDir.resolve("ftps");
    }

    public Path certFile(String name) {
        return dir.resolve(name + ".cert.pem");
    }

    public Path keyFile(String name) {
        return dir.resolve(name + ".key.pem");
    }

    public boolean exists(String name) {
        return Files.isRegularFile(certFile(name)) && Files.isRegularFile(keyFile(name));
    }

    /** Checks the operator's PEM pair and copies it in, replacing the tunnel's certificate. */
    public RelayCertificate install(String tunnel, Path cert, Path key) {
        Tunnel.validateName(tunnel);
        PemIdentity.read(cert, key);
        try {
            Files.createDirectories(dir);
            copy(key, keyFile(tunnel), true);
            copy(cert, certFile(tunnel), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the certificate into " + dir, e);
        }
        return RelayCertificate.load(certFile(tunnel), keyFile(tunnel));
    }

    /** Generates a self-signed certificate for the tunnel's domain (or the relay's fallback). */
    public RelayCertificate generate(String name, String dnsName, SecureRandom random) {
        return RelayCertificate.generate(certFile(name), keyFile(name), dnsName, random);
    }

    /** Deletes a tunnel's pair, if any. */
    public void remove(String tunnel) {
        Tunnel.validateName(tunnel);
        try {
            Files.deleteIfExists(certFile(tunnel));
            Files.deleteIfExists(keyFile(tunnel));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the certificate of " + tunnel, e);
        }
    }

    /** Changes whenever either file is replaced; -1 when one is missing. */
    long stamp(String name) {
        try {
            FileTime cert = Files.getLastModifiedTime(certFile(name));
            FileTime key = Files.getLastModifiedTime(keyFile(name));
            return cert.toMillis() * 31 + key.toMillis() + Files.size(certFile(name)) * 7 + Files.size(keyFile(name));
        } catch (IOException e) {
            return -1;
        }
    }

    private static void copy(Path from, Path to, boolean secret) throws IOException {
        Path tmp = Files.createTempFile(to.getParent(), to.getFileName().toString(), ".tmp");
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: rely on the directory's permissions
            }
        }
        Files.write(tmp, Files.readAllBytes(from));
        try {
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
