package dev.ferry.link.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, named by its pin. The pin is the identity, so no CA
 * chain or host name is checked. Remembers the last mismatch so the agent can tell a wrong pin
 * (permanent: stop) from an unreachable relay (transient: retry).
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final CertificatePin pin;
    private final String peer;
    private final String flag;
    private final AtomicReference<String> lastMismatch = new AtomicReference<>();

    /** Trusts the relay whose certificate {@code --pin} names. */
    public PinnedTrustManager(CertificatePin pin) {
        this(pin, "relay", "--pin");
    }

    /**
     * @param peer names the server in errors ("relay", "FTP server")
     * @param flag the option the pin came from, named in errors
     */
    public PinnedTrustManager(CertificatePin pin, String peer, String flag) {
        this.pin = pin;
        this.peer = peer;
        this.flag = flag;
    }

    /** The fingerprint of the last certificate refused, or null if none was. */
    public String lastMismatch() {
        return lastMismatch.get();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException(peer + " sent no certificate");
        }
        if (!pin.matches(chain[0])) {
            String seen = CertificatePin.of(chain[0]).toString();
            lastMismatch.set(seen);
            throw new CertificateException(peer + " certificate " + seen + " does not match " + flag + " " + pin);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client certificates are not used");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
