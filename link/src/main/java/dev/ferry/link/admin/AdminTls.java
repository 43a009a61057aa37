package dev.ferry.link.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The admin listener's TLS context from PEM files: a certificate chain and an unencrypted PKCS#8
 * private key ({@code BEGIN PRIVATE KEY}, EC or RSA), as the relay generates and as
 * {@code openssl genpkey} writes. Errors name the flag and the file.
 */
public final class AdminTls {
    private AdminTls() {
    }

    public static SSLContext fromPem(Path certFile, Path keyFile, String certFlag, String keyFlag) {
        Certificate[] chain = readChain(certFile, certFlag);
        PrivateKey key = readKey(keyFile, keyFlag);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("admin", key, password, chain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(certFlag + " " + certFile + " / " + keyFlag + " " + keyFile
                    + ": cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    private static Certificate[] readChain(Path file, String flag) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(flag + " " + file + ": no PEM certificate in it");
            }
            return certs.toArray(new Certificate[0]);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(flag + " " + file + ": cannot read: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(flag + " " + file + ": not a PEM X.509 certificate", e);
        }
    }

    private static PrivateKey readKey(Path file, String flag) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(flag + " " + file + ": cannot read: " + e.getMessage(), e);
        }
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(flag + " " + file + ": no unencrypted PKCS#8 key (BEGIN PRIVATE KEY) in it");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(flag + " " + file + ": the key is neither EC, RSA nor Ed25519");
    }
}
