package dev.ferry.relay.cli;

import dev.ferry.relay.registry.RegistrySettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The registry flags {@code serve} and the {@code tunnel} commands share. */
final class RegistryOptions {
    @Option(names = "--registry", paramLabel = "etcd://HOST:PORT[,HOST:PORT...]",
            description = "Keep tunnels (and the list of live relay nodes) in etcd, shared by every relay that names "
                    + "the same cluster; default: the data dir, for a single relay.")
    String registry;

    @Option(names = "--registry-cacert", paramLabel = "FILE",
            description = "PEM CA certificate(s) to check the etcd members' certificates: talk TLS to etcd.")
    Path caCert;

    @Option(names = "--registry-cert", paramLabel = "FILE", description = "PEM client certificate for etcd (with --registry-key).")
    Path clientCert;

    @Option(names = "--registry-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key for --registry-cert.")
    Path clientKey;

    @Option(names = "--registry-user", paramLabel = "NAME", description = "etcd user (with --registry-password-file).")
    String user;

    @Option(names = "--registry-password-file", paramLabel = "FILE",
            description = "File whose first line is the etcd user's password.")
    Path passwordFile;

    @Option(names = "--registry-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long a tunnel command waits for etcd before it gives up and changes nothing "
                    + "(default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** {@code --registry-timeout}, checked. */
    java.time.Duration timeout() {
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw new IllegalArgumentException("--registry-timeout must be 1-3600 seconds, got " + timeoutSeconds);
        }
        return java.time.Duration.ofSeconds(timeoutSeconds);
    }

    /** The validated settings; throws IllegalArgumentException naming the flag. */
    RegistrySettings settings() {
        if (registry == null) {
            return new RegistrySettings(java.util.List.of(), caCert, clientCert, clientKey, user,
                    passwordFile == null ? null : "", RegistrySettings.DEFAULT_PREFIX);
        }
        String password = passwordFile == null ? null : RegistrySettings.readPassword(passwordFile);
        return new RegistrySettings(RegistrySettings.parseEndpoints(registry), caCert, clientCert, clientKey, user,
                password, RegistrySettings.DEFAULT_PREFIX);
    }
}
