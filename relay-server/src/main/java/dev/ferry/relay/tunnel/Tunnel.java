package dev.ferry.relay.tunnel;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A registered tunnel: the domain users type, its dedicated public FTP port ({@value #SHARED_ONLY}:
 * none, reachable only on the relay's shared port), the SHA-256 of its agent token (the token itself
 * is never stored), and what it demands of FTPS clients.
 */
public record Tunnel(String name, int ftpPort, String tokenSha256, TlsPolicy tls) {
    private static final Pattern NAME = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    /** The {@code ftpPort} of a tunnel served only on the relay's shared FTP port. */
    public static final int SHARED_ONLY = 0;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public Tunnel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tokenSha256, "tokenSha256");
        Objects.requireNonNull(tls, "tls");
        validateName(name);
        if (ftpPort != SHARED_ONLY) {
            validatePort(ftpPort);
        }
        if (!HEX64.matcher(tokenSha256).matches()) {
            throw new IllegalArgumentException("tunnel " + name + ": token hash must be 64 lower-case hex digits");
        }
    }

    /** Whether the tunnel has its own public FTP port besides the shared one. */
    public boolean hasDedicatedPort() {
        return ftpPort != SHARED_ONLY;
    }

    /** A tunnel that demands nothing of FTPS clients. */
    public Tunnel(String name, int ftpPort, String tokenSha256) {
        this(name, ftpPort, tokenSha256, TlsPolicy.NONE);
    }

    /** A tunnel name is a lower-case DNS name, e.g. {@code alice.ftp.example.net}. */
    public static void validateName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tunnel name '" + name
                    + "' is not a lower-case domain name (letters, digits, '-' and '.', e.g. alice.ftp.example.net)");
        }
    }

    public static void validatePort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("FTP port must be 1-65535, got " + port);
        }
    }
}
