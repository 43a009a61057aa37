package dev.ferry.link.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/** A relay certificate's identity as agents pin it: {@code sha256:} and the hex SHA-256 of its DER form. */
public final class CertificatePin {
    private static final String PREFIX = "sha256:";
    private final byte[] digest;

    private CertificatePin(byte[] digest) {
        this.digest = digest.clone();
    }

    /** Parses {@code sha256:HEX} (64 hex digits, either case, colons between bytes allowed). */
    public static CertificatePin parse(String text) {
        if (text == null || !text.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
            throw new IllegalArgumentException("pin must look like sha256:<64 hex digits>, got '" + text + "'");
        }
        String hex = text.substring(PREFIX.length()).replace(":", "");
        if (hex.length() != 64) {
            throw new IllegalArgumentException("pin must have 64 hex digits after sha256:, got " + hex.length());
        }
        try {
            return new CertificatePin(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pin is not hexadecimal: '" + text + "'");
        }
    }

    public static CertificatePin of(X509Certificate certificate) {
        try {
            return new CertificatePin(sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    public boolean matches(X509Certificate certificate) {
        return MessageDigest.isEqual(digest, of(certificate).digest);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificatePin p && MessageDigest.isEqual(digest, p.digest);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return PREFIX + HexFormat.of().formatHex(digest);
    }
}
