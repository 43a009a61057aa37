package dev.ferry.agent.upstream;

import dev.ferry.link.tls.CertificatePin;
import dev.ferry.link.tls.PinnedTrustManager;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;

/**
 * {@code --upstream-tls}: the agent speaks FTPS to an FTP server that insists on it, trusting the
 * server's certificate by pin ({@code --upstream-pin}) or not checking it ({@code --upstream-insecure}).
 *
 * <p>Each FTP session gets its own {@link SSLContext}: the JDK keeps client sessions per context,
 * keyed by the peer's host and port, so a data connection's engine made from its session's context
 * with the control connection's host and port offers the control connection's TLS session for
 * resumption (servers such as vsftpd refuse data connections that do not resume it), and no session
 * is ever offered to another client's FTP session.
 */
public final class UpstreamTls {
    private final CertificatePin pin;

    private UpstreamTls(CertificatePin pin) {
        this.pin = pin;
    }

    /** Trusts exactly the certificate {@code pin} names. */
    public static UpstreamTls pinned(CertificatePin pin) {
        return new UpstreamTls(Objects.requireNonNull(pin, "--upstream-pin"));
    }

    /** Trusts any certificate the server presents: encryption without authentication. */
    public static UpstreamTls insecure() {
        return new UpstreamTls(null);
    }

    /**
     * Validates the three flags together; null when the server speaks plain FTP.
     *
     * @throws IllegalArgumentException naming the flag at fault
     */
    public static UpstreamTls fromFlags(boolean tls, String pin, boolean insecure) {
        if (!tls) {
            if (pin != null || insecure) {
                throw new IllegalArgumentException((pin != null ? "--upstream-pin" : "--upstream-insecure")
                        + " only goes with --upstream-tls");
            }
            return null;
        }
        if (pin != null && insecure) {
            throw new IllegalArgumentException("--upstream-pin and --upstream-insecure cannot be used together");
        }
        if (pin == null && !insecure) {
            throw new IllegalArgumentException("--upstream-tls needs --upstream-pin sha256:HEX (the FTP server's "
                    + "certificate) or --upstream-insecure");
        }
        if (insecure) {
            return insecure();
        }
        try {
            return pinned(CertificatePin.parse(pin));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value for option '--upstream-pin': " + e.getMessage());
        }
    }

    /** For the agent's start-up line. */
    public String describeTrust() {
        return pin == null ? " (FTPS, certificate NOT checked: --upstream-insecure)" : " (FTPS, pin " + pin + ")";
    }

    /** A new TLS context for one FTP session: its control connection and every data connection. */
    public Session newSession(String host, int port) {
        try {
            TrustManager trust = pin == null ? InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]
                    : new PinnedTrustManager(pin, "upstream FTP server", "--upstream-pin");
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return new Session(context, host, port);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS toward the FTP server: " + e.getMessage(), e);
        }
    }

    /** The most precise reason in a TLS failure's causes: a pin mismatch names both fingerprints. */
    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return failure.getMessage() != null ? failure.getMessage() : failure.toString();
    }

    /**
     * One FTP session's TLS: engines for its connections all name the control connection's peer,
     * so each data connection resumes the session the control connection negotiated.
     */
    public record Session(SSLContext context, String host, int port) {
        /** A handler for one connection of this session; the agent is the TLS client on every one (RFC 4217). */
        public SslHandler newHandler() {
            SSLEngine engine = context.createSSLEngine(host, port);
            engine.setUseClientMode(true);
            return new SslHandler(engine);
        }
    }
}
