package dev.ferry.relay.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Checks on the PEM files an operator gives: there, readable, the right kind, and a matching pair. */
public final class KeyFiles {
    private KeyFiles() {
    }

    static void checkReadable(Path file, String label) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(label + " " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(label + " " + file + ": not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(label + " " + file + ": not readable (permission denied)");
        }
    }

    /** The unencrypted PKCS#8 private key in a PEM file (what Netty's TLS accepts). */
    static PrivateKey readPrivateKey(Path file, String label) {
        checkReadable(file, label);
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return new JcaPEMKeyConverter().getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair) {
                    throw new IllegalArgumentException(label + " " + file + ": the key is not PKCS#8; convert it with "
                            + "'openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem'");
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException(label + " " + file + ": the key is encrypted; give an "
                            + "unencrypted PKCS#8 key (readable only by the relay's user)");
                }
            }
        } catch (IOException e) {
            if (e.getCause() instanceof RuntimeException || e.getClass().getName().contains("PEM")) {
                throw new IllegalArgumentException(label + " " + file + ": not a PEM private key (" + e.getMessage() + ")", e);
            }
            throw new UncheckedIOException(label + " " + file + ": cannot read: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(label + " " + file + ": contains no PEM private key (BEGIN PRIVATE KEY)");
    }

    /** Fails unless {@code key} signs what {@code cert}'s public key verifies. */
    public static void checkPair(X509Certificate cert, PrivateKey key, String certName, String keyName) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // an unusual key type: Netty's own check at start-up will have the last word
        }
        boolean matches;
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException(keyName + " does not match the certificate in " + certName);
        }
    }
}
