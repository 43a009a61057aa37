package dev.ferry.doctor;

import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.X509TrustManager;

/**
 * What the doctor checks and how: the relay's public address and FTP port for the tunnel, the
 * login, TLS. Validated once; {@link #toString()} never shows the password.
 *
 * @param host the relay's public address as a client types it
 * @param port the tunnel's dedicated FTP port, or the relay's shared FTP port
 * @param tunnel the tunnel's domain
 * @param sharedPort true when {@code port} is the shared port: the login names the tunnel ({@code USER name@domain})
 * @param trust with {@code tls}: the certificates to trust, or null for the JDK's default trust store
 * @param timeout for each connect, reply and data transfer
 */
public record DoctorTarget(String host, int port, String tunnel, boolean sharedPort, String user, String password,
        boolean tls, X509TrustManager trust, Duration timeout) {
    public static final String ANONYMOUS = "anonymous";
    /** The password sent for an anonymous login (RFC 1635: an e-mail-like string). */
    public static final String ANONYMOUS_PASSWORD = "ferry-doctor@";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public DoctorTarget {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("relay address must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("FTP port must be 1-65535, got " + port);
        }
        if (tunnel == null || tunnel.isBlank()) {
            throw new IllegalArgumentException("tunnel name must not be empty");
        }
        if (user == null || user.isBlank() || user.contains("\r") || user.contains("\n")) {
            throw new IllegalArgumentException("--user must be one line and not empty");
        }
        Objects.requireNonNull(password, "password");
        if (password.contains("\r") || password.contains("\n")) {
            throw new IllegalArgumentException("the password must be one line");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--timeout must be positive, got " + timeout.toSeconds() + " s");
        }
    }

    /** The USER argument: on the shared port {@code name@domain}, so the relay knows the tunnel. */
    String loginName() {
        return sharedPort ? user + "@" + tunnel : user;
    }

    String address() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return "DoctorTarget[" + address() + ", tunnel " + tunnel + (sharedPort ? " (shared port)" : "") + ", user "
                + user + (tls ? ", TLS" : "") + ", timeout " + timeout.toSeconds() + " s]";
    }
}
