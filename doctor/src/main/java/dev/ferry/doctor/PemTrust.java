package dev.ferry.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Trust managers for the doctor's TLS checks: the certificates of a PEM file, or the JDK's default trust store. */
public final class PemTrust {
    private PemTrust() {
    }

    /**
     * Trusts exactly the certificates in {@code pem} (a self-signed tunnel certificate, or a CA).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static X509TrustManager of(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(pem + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
            return fromStore(store);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read certificates from " + pem + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trusts the certificates {@code pem} holds when the handshake happens (a relay generates a
     * tunnel's certificate on first use, so the file may appear only then).
     */
    public static X509TrustManager readAtHandshake(Path pem) {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("the doctor trusts no clients");
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                X509TrustManager now;
                try {
                    now = of(pem);
                } catch (IllegalArgumentException e) {
                    throw new java.security.cert.CertificateException(e.getMessage(), e);
                }
                now.checkServerTrusted(chain, authType);
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };
    }

    /** The JDK's default trust store (public CAs). */
    public static X509TrustManager jdkDefault() {
        try {
            return fromStore(null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the JDK's trust store: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager fromStore(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("no X.509 trust manager");
    }
}
