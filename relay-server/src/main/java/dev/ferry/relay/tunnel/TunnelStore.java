package dev.ferry.relay.tunnel;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Tunnels on disk: one {@code tunnels/NAME.tunnel} properties file each, written atomically, so
 * the admin command and a running relay share them without a database.
 */
public final class TunnelStore {
    private static final String SUFFIX = ".tunnel";
    private final Path dir;

    public TunnelStore(Path dataDir) {
        this.dir = dataDir.resolve("tunnels");
    }

    public List<Tunnel> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Tunnel> tunnels = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                read(file).ifPresent(tunnels::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tunnels in " + dir, e);
        }
        tunnels.sort(Comparator.comparing(Tunnel::name));
        return tunnels;
    }

    public Optional<Tunnel> find(String name) {
        return list().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Adds a tunnel; refuses a name or a dedicated port another tunnel already has. */
    public void add(Tunnel tunnel) {
        for (Tunnel existing : list()) {
            if (existing.name().equals(tunnel.name())) {
                throw new IllegalArgumentException("tunnel " + tunnel.name() + " already exists");
            }
            if (tunnel.hasDedicatedPort() && existing.ftpPort() == tunnel.ftpPort()) {
                throw new IllegalArgumentException("FTP port " + tunnel.ftpPort()
                        + " is already used by tunnel " + existing.name());
            }
        }
        Properties p = new Properties();
        p.setProperty("name", tunnel.name());
        p.setProperty("ftpPort", Integer.toString(tunnel.ftpPort()));
        p.setProperty("tokenSha256", tunnel.tokenSha256());
        p.setProperty("requireTls", Boolean.toString(tunnel.tls().requireTls()));
        p.setProperty("requireTlsReuse", Boolean.toString(tunnel.tls().requireReuse()));
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, tunnel.name(), ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "Ferry tunnel; the token itself is not stored");
            }
            moveAtomically(tmp, dir.resolve(tunnel.name() + SUFFIX));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tunnel " + tunnel.name() + " to " + dir, e);
        }
    }

    /** Removes a tunnel; returns false if there was none by that name. */
    public boolean remove(String name) {
        Tunnel.validateName(name);
        try {
            return Files.deleteIfExists(dir.resolve(name + SUFFIX));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove tunnel " + name, e);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Optional<Tunnel> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return Optional.of(new Tunnel(p.getProperty("name", ""),
                    Integer.parseInt(p.getProperty("ftpPort", "0")), p.getProperty("tokenSha256", ""),
                    new TlsPolicy(Boolean.parseBoolean(p.getProperty("requireTls", "false")),
                            Boolean.parseBoolean(p.getProperty("requireTlsReuse", "false")))));
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(TunnelStore.class)
                    .error("ignoring unreadable tunnel file {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }
}
