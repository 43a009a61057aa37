package dev.ferry.relay.tunnel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Agent tokens: 256 random bits, shown once; the relay keeps only their SHA-256. */
public final class AgentToken {
    private static final String PREFIX = "ferry_";

    private AgentToken() {
    }

    public static String generate(SecureRandom random) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static String sha256Hex(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Compares a presented token with a stored hash in time independent of where they differ. */
    public static boolean matches(String presented, String storedSha256Hex) {
        byte[] presentedHash = HexFormat.of().parseHex(sha256Hex(presented));
        byte[] stored = HexFormat.of().parseHex(storedSha256Hex);
        return MessageDigest.isEqual(presentedHash, stored);
    }
}
