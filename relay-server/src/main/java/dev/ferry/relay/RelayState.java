package dev.ferry.relay;

import dev.ferry.relay.tls.RelayCertificate;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running relay tells the admin commands through its data dir ({@code relay.properties}):
 * the address and port agents dial and how to trust it, so {@code tunnel add} can print the exact
 * agent command.
 */
public final class RelayState {
    public static final String FILE = "relay.properties";
    private final Path file;

    public RelayState(Path dataDir) {
        this.file = dataDir.resolve(FILE);
    }

    /** The agent's view of the relay: {@code host:port}, and how to trust it. */
    public record Endpoint(String hostPort, boolean insecure, String pin) {
    }

    public void write(String publicAddress, int agentPort, boolean insecure, RelayCertificate certificate) {
        Properties p = new Properties();
        p.setProperty("agentAddress", publicAddress + ":" + agentPort);
        p.setProperty("insecure", Boolean.toString(insecure));
        if (certificate != null) {
            p.setProperty("pin", certificate.pin().toString());
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + FILE, ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "written by ferry-relay serve; read by ferry-relay tunnel add");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * What the relay last wrote, or empty if no relay has started with this data dir.
     *
     * @throws IllegalStateException naming the file if it is there but cannot be read
     */
    public Optional<Endpoint> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String address = p.getProperty("agentAddress");
        boolean insecure = Boolean.parseBoolean(p.getProperty("insecure"));
        String pin = p.getProperty("pin");
        if (address == null || address.isBlank() || (!insecure && pin == null)) {
            throw new IllegalStateException(file + " is incomplete (it needs agentAddress and pin or insecure=true); "
                    + "start 'ferry-relay serve' again to rewrite it");
        }
        return Optional.of(new Endpoint(address.trim(), insecure, pin));
    }
}
