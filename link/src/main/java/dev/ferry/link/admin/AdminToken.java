package dev.ferry.link.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The admin listener's bearer token: 32 random bytes (base64url), generated on first start into a
 * file only its owner may read (mode 0600) and read from it afterwards. Presented tokens are compared
 * in constant time (SHA-256 of both, then {@link MessageDigest#isEqual}). {@link #toString()} never
 * shows it, so it cannot end up in a log line by accident.
 */
public final class AdminToken {
    /** Fewer characters than this in an existing token file is refused: it is not a token we wrote. */
    static final int MIN_LENGTH = 20;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] digest;
    private final Path file;

    private AdminToken(String token, Path file) {
        this.digest = sha256(token);
        this.file = file;
    }

    /**
     * Reads the token in {@code file}, or generates one there first (mode 0600, written to a temporary
     * file and renamed, so a reader never sees half a token).
     *
     * @throws IllegalArgumentException if the file is there but holds no usable token (names the file)
     */
    public static AdminToken loadOrCreate(Path file, SecureRandom random) {
        try {
            if (!Files.exists(file)) {
                create(file, random);
            }
            String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (token.length() < MIN_LENGTH || !token.matches("[A-Za-z0-9_\\-.~+/=]+")) {
                throw new IllegalArgumentException("admin token file " + file + " does not hold a token (at least "
                        + MIN_LENGTH + " characters of base64); delete it to have a new one generated");
            }
            return new AdminToken(token, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file, SecureRandom random) throws IOException {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", ownerOnly());
        try {
            Files.writeString(tmp, token + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // another process generated it first: use theirs
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
    }

    /** Whether an {@code Authorization} header value carries this token ({@code Bearer TOKEN}). */
    public boolean acceptsHeader(String authorization) {
        if (authorization == null || authorization.length() > 1024) {
            return false;
        }
        String value = authorization.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(value.substring(7).strip()));
    }

    /** Where the token is kept (for log lines and the README's curl examples). */
    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return "AdminToken[" + file + "]";
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
