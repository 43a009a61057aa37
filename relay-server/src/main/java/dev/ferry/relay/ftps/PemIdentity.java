package dev.ferry.relay.ftps;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import dev.ferry.relay.tls.KeyFiles;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A certificate chain and its private key read from PEM files (the key as PKCS#8, PKCS#1 RSA or SEC1
 * EC, unencrypted). Reading checks that the key belongs to the first certificate; errors name the file.
 */
record PemIdentity(PrivateKey key, List<X509Certificate> chain) {
    static PemIdentity read(Path certFile, Path keyFile) {
        List<X509Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        try {
            for (Object o : objects(certFile)) {
                if (o instanceof X509CertificateHolder holder) {
                    chain.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
            JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
            for (Object o : objects(keyFile)) {
                if (o instanceof PrivateKeyInfo info) {
                    key = keys.getPrivateKey(info);
                } else if (o instanceof PEMKeyPair pair) {
                    key = keys.getKeyPair(pair).getPrivate();
                }
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot read " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate in " + certFile);
        }
        if (key == null) {
            throw new IllegalArgumentException("no unencrypted PEM private key in " + keyFile);
        }
        KeyFiles.checkPair(chain.get(0), key, certFile.toString(), "the key in " + keyFile);
        return new PemIdentity(key, List.copyOf(chain));
    }

    private static List<Object> objects(Path file) throws IOException {
        List<Object> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                out.add(o);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("no such file: " + file, e);
        }
        return out;
    }
}
