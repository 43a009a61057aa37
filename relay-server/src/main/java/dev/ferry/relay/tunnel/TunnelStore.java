package dev.ferry.relay.tunnel;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Tunnels on disk: one {@code tunnels/NAME.tunnel} properties file each, so the admin commands and
 * a running relay share them without a database. Changes ({@link #add}, {@link #remove}) hold a
 * lock on {@code tunnels/.lock} (see {@link StoreLock}) and check names and ports under it; a file
 * is written to a temporary file, flushed to disk and renamed over, so a reader sees the old file or
 * the new one, never half of one. A file that cannot be read (hand-edited, truncated) is reported
 * as {@link Unreadable}, never silently dropped: it may still hold a name and a port.
 */
public final class TunnelStore implements dev.ferry.relay.registry.RegistryStore {
    private static final String SUFFIX = ".tunnel";
    private final Path dir;
    private final StoreLock lock;

    public TunnelStore(Path dataDir) {
        this.dir = dataDir.resolve("tunnels");
        this.lock = new StoreLock(dir.resolve(".lock"));
    }

    /** A tunnel file that cannot be read. {@code fingerprint} changes whenever the file's bytes do. */
    public record Unreadable(Path file, String tunnelName, String reason, String fingerprint) {
    }

    /** Everything in the store at one moment: the tunnels, and the files that could not be read. */
    public record Snapshot(List<Tunnel> tunnels, List<Unreadable> unreadable) {
        public Snapshot {
            tunnels = List.copyOf(tunnels);
            unreadable = List.copyOf(unreadable);
        }
    }

    /** Reads every tunnel file; never throws for a bad file, only when the directory cannot be listed. */
    @Override
    public Snapshot read() {
        List<Tunnel> tunnels = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
                for (Path file : files) {
                    readFile(file, tunnels, unreadable);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list tunnels in " + dir, e);
            }
        }
        tunnels.sort(Comparator.comparing(Tunnel::name));
        unreadable.sort(Comparator.comparing(Unreadable::file));
        return new Snapshot(tunnels, unreadable);
    }

    /**
     * Adds a tunnel, atomically with respect to every other add and remove (in any process), running
     * {@code admitted} under the store's lock once the name and port are known to be free, before the
     * tunnel's file is written: what it writes (the tunnel's FTPS certificate) is written only by the add
     * that wins. Refuses a name or a dedicated port another tunnel has, and any add while a tunnel file
     * is unreadable: that file may hold the port (a running relay keeps serving it as last read).
     *
     * @throws TunnelConflictException naming what is taken or which file is unreadable
     */
    @Override
    public void add(Tunnel tunnel, Runnable admitted) {
        createDirectory();
        lock.holding(() -> {
            Snapshot now = read();
            Path file = fileOf(tunnel.name());
            for (Unreadable u : now.unreadable()) {
                if (u.file().equals(file)) {
                    throw new TunnelConflictException("tunnel " + tunnel.name() + " already exists, but its file "
                            + file + " is unreadable (" + u.reason() + "); fix it, or 'tunnel remove " + tunnel.name()
                            + "' first");
                }
            }
            for (Tunnel existing : now.tunnels()) {
                if (existing.name().equals(tunnel.name())) {
                    throw new TunnelConflictException("tunnel " + tunnel.name() + " already exists");
                }
                if (tunnel.hasDedicatedPort() && existing.ftpPort() == tunnel.ftpPort()) {
                    throw new TunnelConflictException("FTP port " + tunnel.ftpPort() + " is already used by tunnel "
                            + existing.name());
                }
            }
            if (!now.unreadable().isEmpty()) {
                Unreadable u = now.unreadable().get(0);
                throw new TunnelConflictException("cannot add tunnels while " + u.file() + " is unreadable ("
                        + u.reason() + "): its FTP port is unknown; fix the file or remove it first");
            }
            admitted.run();
            write(file, tunnel);
            return null;
        });
    }

    /** Removes a tunnel, readable or not; returns false if there was none by that name. */
    @Override
    public boolean remove(String name) {
        Tunnel.validateName(name);
        if (!Files.isDirectory(dir)) {
            return false;
        }
        return lock.holding(() -> {
            try {
                boolean removed = Files.deleteIfExists(fileOf(name));
                syncDirectory();
                return removed;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove tunnel " + name, e);
            }
        });
    }

    @Override
    public String describe() {
        return "data dir " + dir.getParent();
    }

    private Path fileOf(String name) {
        return dir.resolve(name + SUFFIX);
    }

    private void createDirectory() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** A tunnel as stored: properties text (ISO-8859-1), the same in a tunnel file and in etcd. */
    public static String format(Tunnel tunnel) {
        Properties p = new Properties();
        p.setProperty("name", tunnel.name());
        p.setProperty("ftpPort", Integer.toString(tunnel.ftpPort()));
        p.setProperty("tokenSha256", tunnel.tokenSha256());
        p.setProperty("requireTls", Boolean.toString(tunnel.tls().requireTls()));
        p.setProperty("requireTlsReuse", Boolean.toString(tunnel.tls().requireReuse()));
        StringWriter text = new StringWriter();
        try {
            p.store(text, "Ferry tunnel; the token itself is not stored");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private void write(Path file, Tunnel tunnel) {
        byte[] text = format(tunnel).getBytes(StandardCharsets.ISO_8859_1);
        try {
            Path tmp = Files.createTempFile(dir, "." + tunnel.name() + "-", ".tmp");
            try {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ByteBuffer bytes = ByteBuffer.wrap(text);
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                    out.force(true);
                }
                moveAtomically(tmp, file);
            } finally {
                Files.deleteIfExists(tmp);
            }
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tunnel " + tunnel.name() + " to " + dir, e);
        }
    }

    /** Makes a rename or delete in the directory durable; some file systems cannot, which is harmless. */
    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not supported here: the rename is still atomic, only its durability across a crash is weaker
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void readFile(Path file, List<Tunnel> tunnels, List<Unreadable> unreadable) {
        String fileName = file.getFileName().toString();
        String expected = fileName.substring(0, fileName.length() - SUFFIX.length());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return; // removed while we listed
        } catch (IOException e) {
            unreadable.add(new Unreadable(file, expected, "cannot read: " + e.getMessage(), "io:" + e.getMessage()));
            return;
        }
        try {
            tunnels.add(parse(bytes, expected));
        } catch (IOException | RuntimeException e) {
            unreadable.add(new Unreadable(file, expected, e.getMessage(), sha256(bytes)));
        }
    }

    /**
     * Parses what {@link #format} wrote; throws naming what is wrong (a missing key, another tunnel's name).
     */
    public static Tunnel parse(byte[] bytes, String expectedName) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)));
        String name = required(p, "name");
        String port = required(p, "ftpPort");
        String hash = required(p, "tokenSha256");
        if (!name.equals(expectedName)) {
            throw new IllegalArgumentException("it names tunnel '" + name + "', but its file name says " + expectedName);
        }
        if (!port.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("ftpPort '" + port + "' is not a port number");
        }
        return new Tunnel(name, Integer.parseInt(port), hash,
                new TlsPolicy(flag(p, "requireTls"), flag(p, "requireTlsReuse")));
    }

    /** An optional true/false property (absent in files written before FTPS): false unless "true". */
    private static boolean flag(Properties p, String key) {
        String value = p.getProperty(key, "false").strip();
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(key + " '" + value + "' is neither true nor false");
        }
        return Boolean.parseBoolean(value);
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        return value.trim();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
