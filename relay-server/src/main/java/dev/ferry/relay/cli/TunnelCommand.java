package dev.ferry.relay.cli;

import dev.ferry.relay.RelayState;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.ftps.FtpsCertificates;
import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.DomainName;
import dev.ferry.relay.tunnel.TlsPolicy;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry-relay tunnel add|list|remove}: the tunnels a relay serves. */
@Command(name = "tunnel", mixinStandardHelpOptions = true, description = "Register, list and remove tunnels.",
        subcommands = {TunnelCommand.Add.class, TunnelCommand.List.class, TunnelCommand.Remove.class,
                TunnelCommand.Cert.class})
final class TunnelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: add, list, remove or cert");
    }

    /** The data dir option every tunnel command shares; unlike {@code serve}, they never create it. */
    static final class DataDir {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "ferry-data",
                description = "The relay's data dir; must exist (default: ${DEFAULT-VALUE}).")
        Path dir;

        /** The data dir, or a usage error naming the flag if it is not there. */
        Path existing(CommandLine.Model.CommandSpec spec) {
            if (!Files.isDirectory(dir)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--data-dir " + dir + ": "
                        + (Files.exists(dir) ? "not a directory" : "no such directory")
                        + " (run 'ferry-relay serve --data-dir " + dir + "' once, or create it)");
            }
            return dir;
        }
    }

    /**
     * The store the tunnel commands change: the data dir (which must exist), or etcd with {@code --registry}
     * (the data dir then only supplies relay.properties, if it is there). Errors name the flag.
     */
    static dev.ferry.relay.registry.RegistryStore openStore(CommandLine.Model.CommandSpec spec, DataDir dataDir,
            RegistryOptions registry) {
        dev.ferry.relay.registry.RegistrySettings settings;
        java.time.Duration timeout;
        try {
            settings = registry.settings();
            timeout = registry.timeout();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!settings.isEtcd()) {
            return new TunnelStore(dataDir.existing(spec));
        }
        try {
            return dev.ferry.relay.registry.Registries.store(settings, dataDir.dir, timeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** A refusal by the store (etcd unreachable, no leader, access denied) as a one-line command-line error. */
    static CommandLine.ParameterException refused(CommandLine.Model.CommandSpec spec, RuntimeException e) {
        return new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Register a tunnel and print its agent token (shown once) and agent command.")
    static final class Add implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The domain users will type, e.g. alice.ftp.example.net "
                + "(case-insensitive; an IDN is stored in its ASCII form).")
        String name;

        @Option(names = "--ftp-port", paramLabel = "PORT", description = "A dedicated public FTP port for this tunnel; "
                + "without it the tunnel is reached only on the relay's shared FTP port (serve --ftp-listen).")
        Integer ftpPort;

        @Option(names = "--relay-address", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
                description = "The address agents dial, for the printed agent command. Default: what 'serve' wrote "
                        + "into the data dir (its --public-address and agent port); required before 'serve' has run.")
        HostPort relayAddress;

        @CommandLine.Mixin
        DataDir dataDir;

        @CommandLine.Mixin
        RegistryOptions registry;

        @CommandLine.Mixin
        CertFiles certFiles;

        @Option(names = "--require-tls", description = "FTPS clients must send AUTH TLS before USER (else 530).")
        boolean requireTls;

        @Option(names = "--require-tls-reuse",
                description = "A protected data connection must resume the control connection's TLS session.")
        boolean requireTlsReuse;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            int port = ftpPort == null ? Tunnel.SHARED_ONLY : ftpPort;
            try {
                name = DomainName.normalize(name).orElse(name);
                Tunnel.validateName(name);
                if (ftpPort != null && (port < 1 || port > 65535)) {
                    throw new IllegalArgumentException("--ftp-port must be 1-65535, got " + port);
                }
                certFiles.check();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
            if (registry.registry != null) {
                return addToEtcd(cl, port);
            }
            Path dir = dataDir.existing(spec);
            Optional<RelayState.Endpoint> state = new RelayState(dir).read();
            if (state.isEmpty() && relayAddress == null) {
                throw new CommandLine.ParameterException(cl, "the relay has not started with --data-dir " + dir
                        + " yet, so the agent command is unknown: start 'ferry-relay serve --data-dir " + dir
                        + "' first, or pass --relay-address HOST:PORT (the address agents dial)");
            }
            String agentAddress = relayAddress != null ? relayAddress.toString() : state.get().hostPort();
            String trust;
            if (state.map(RelayState.Endpoint::insecure).orElse(false)) {
                trust = "--insecure";
            } else {
                trust = "--pin " + state.map(RelayState.Endpoint::pin)
                        .orElseGet(() -> RelayCertificate.loadOrGenerate(dir, new SecureRandom()).pin().toString());
            }
            String token = AgentToken.generate(new SecureRandom());
            TunnelStore store = new TunnelStore(dir);
            RelayCertificate[] ftpsCert = new RelayCertificate[1];
            try {
                // The certificate is written under the store's lock, by the one add that wins the name.
                store.add(new Tunnel(name, port, AgentToken.sha256Hex(token), new TlsPolicy(requireTls, requireTlsReuse)),
                        () -> ftpsCert[0] = certFiles.install(dir, name));
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
            PrintWriter out = cl.getOut();
            out.println(ftpPort == null
                    ? "tunnel " + name + " registered on the relay's shared FTP port."
                    : "tunnel " + name + " registered on FTP port " + port + " and the relay's shared FTP port.");
            out.println(certFiles.describe(name, ftpsCert[0]));
            out.println("agent token (shown only now; the relay keeps only its hash): " + token);
            out.println("run this beside the FTP server:");
            out.println("java -jar ferry-agent.jar --relay " + agentAddress + " --token " + token + " "
                    + trust + " --upstream 127.0.0.1:21");
            out.flush();
            return 0;
        }

        /** {@code tunnel add --registry etcd://...}: one transaction in etcd; every node serves it within a second. */
        private Integer addToEtcd(CommandLine cl, int port) {
            if (certFiles.cert != null) {
                throw new CommandLine.ParameterException(cl, "--cert/--key cannot be used with --registry yet: "
                        + "each relay node generates a self-signed FTPS certificate for the tunnel on first use");
            }
            String token = AgentToken.generate(new SecureRandom());
            String agentCommand;
            try (dev.ferry.relay.registry.RegistryStore store = openStore(spec, dataDir, registry)) {
                store.add(new Tunnel(name, port, AgentToken.sha256Hex(token), new TlsPolicy(requireTls, requireTlsReuse)));
                agentCommand = agentCommandFor(store, token);
            } catch (IllegalArgumentException | IllegalStateException | dev.ferry.relay.registry.RegistryUnavailableException e) {
                throw refused(spec, e);
            }
            PrintWriter out = cl.getOut();
            out.println("tunnel " + name + (ftpPort == null ? " registered on every relay's shared FTP port"
                    : " registered on FTP port " + port + " and every relay's shared FTP port") + ", in "
                    + registry.settings().describe() + ".");
            out.println("FTPS: each relay node generates a self-signed certificate for " + name + " on first use.");
            out.println("agent token (shown only now; the relay keeps only its hash): " + token);
            out.println("run this beside the FTP server:");
            out.println(agentCommand);
            out.flush();
            return 0;
        }

        /** The agent command: --relay-address, else relay.properties in the data dir, else a live node in etcd. */
        private String agentCommandFor(dev.ferry.relay.registry.RegistryStore store, String token) {
            Optional<RelayState.Endpoint> state = Files.isDirectory(dataDir.dir) ? new RelayState(dataDir.dir).read()
                    : Optional.empty();
            String address;
            String trust;
            if (state.isPresent()) {
                address = relayAddress != null ? relayAddress.toString() : state.get().hostPort();
                trust = state.get().insecure() ? "--insecure" : "--pin " + state.get().pin();
            } else {
                java.util.List<dev.ferry.relay.registry.RelayNode> nodes =
                        ((dev.ferry.relay.registry.etcd.EtcdTunnelStore) store).liveNodes();
                if (nodes.isEmpty()) {
                    return "(no relay node is running yet: start 'ferry-relay serve --registry ...', then run the agent "
                            + "with --relay HOST:PORT --token " + token + " --upstream 127.0.0.1:21)";
                }
                dev.ferry.relay.registry.RelayNode node = nodes.get(0);
                address = relayAddress != null ? relayAddress.toString() : node.agentEndpoint().toString();
                trust = node.pin().isEmpty() ? "--insecure" : "--pin " + node.pin();
            }
            return "java -jar ferry-agent.jar --relay " + address + " --token " + token + " " + trust
                    + " --upstream 127.0.0.1:21";
        }
    }

    /** {@code --cert FILE --key FILE}: the tunnel's FTPS certificate, or none for a generated one. */
    static final class CertFiles {
        @Option(names = "--cert", paramLabel = "FILE", description = "PEM certificate (chain) for the tunnel's FTPS "
                + "(copied into the data dir). Without --cert/--key a self-signed one is generated for NAME.")
        Path cert;

        @Option(names = "--key", paramLabel = "FILE", description = "PEM private key for --cert.")
        Path key;

        void check() {
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException("--cert and --key must be given together");
            }
        }

        RelayCertificate install(Path dataDir, String tunnel) {
            FtpsCertificates certificates = new FtpsCertificates(dataDir);
            if (cert != null) {
                try {
                    return certificates.install(tunnel, cert, key);
                } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                    throw new IllegalArgumentException("--cert/--key: " + e.getMessage(), e);
                }
            }
            return certificates.generate(tunnel, tunnel, new SecureRandom());
        }

        String describe(String tunnel, RelayCertificate installed) {
            return (cert != null ? "FTPS certificate for " + tunnel + " installed from " + cert
                    : "FTPS: generated a self-signed certificate for " + tunnel)
                    + "; fingerprint " + installed.pin();
        }
    }

    @Command(name = "cert", mixinStandardHelpOptions = true,
            description = "Replace a tunnel's FTPS certificate (a running relay uses it for new connections at once).")
    static final class Cert implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @CommandLine.Mixin
        DataDir dataDir;

        @CommandLine.Mixin
        CertFiles certFiles;

        @Override
        public Integer call() {
            RelayCertificate installed;
            try {
                Tunnel.validateName(name);
                certFiles.check();
                if (new TunnelStore(dataDir.existing(spec)).find(name).isEmpty()) {
                    spec.commandLine().getErr().println("ferry-relay: no tunnel named " + name + " in " + dataDir.dir);
                    return 1;
                }
                installed = certFiles.install(dataDir.dir, name);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            spec.commandLine().getOut().println(certFiles.describe(name, installed));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List registered tunnels.")
    static final class List implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        DataDir dataDir;

        @CommandLine.Mixin
        RegistryOptions registry;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            TunnelStore.Snapshot store;
            String where;
            try (dev.ferry.relay.registry.RegistryStore registryStore = openStore(spec, dataDir, registry)) {
                store = registryStore.read();
                where = registry.registry != null ? registryStore.describe() : dataDir.dir.toString();
            } catch (IllegalStateException | dev.ferry.relay.registry.RegistryUnavailableException e) {
                throw refused(spec, e);
            }
            if (store.tunnels().isEmpty() && store.unreadable().isEmpty()) {
                out.println("no tunnels in " + where);
            }
            for (Tunnel t : store.tunnels()) {
                out.printf("%-40s %s%s%s%n", t.name(), t.hasDedicatedPort() ? "ftp port " + t.ftpPort() : "shared port only",
                        t.tls().requireTls() ? ", requires TLS" : "", t.tls().requireReuse() ? ", requires TLS reuse" : "");
            }
            out.flush();
            for (TunnelStore.Unreadable u : store.unreadable()) {
                spec.commandLine().getErr().println("ferry-relay: tunnel file " + u.file() + " is unreadable: " + u.reason());
            }
            spec.commandLine().getErr().flush();
            return store.unreadable().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a tunnel; a running relay closes its port and disconnects its agent.")
    static final class Remove implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @CommandLine.Mixin
        DataDir dataDir;

        @CommandLine.Mixin
        RegistryOptions registry;

        @Override
        public Integer call() {
            boolean removed;
            String where;
            try (dev.ferry.relay.registry.RegistryStore store = openStore(spec, dataDir, registry)) {
                removed = store.remove(name);
                where = registry.registry != null ? store.describe() : dataDir.dir.toString();
                if (removed && registry.registry == null) {
                    new FtpsCertificates(dataDir.dir).remove(name);
                }
            } catch (IllegalArgumentException | IllegalStateException | dev.ferry.relay.registry.RegistryUnavailableException e) {
                throw refused(spec, e);
            }
            if (!removed) {
                spec.commandLine().getErr().println("ferry-relay: no tunnel named " + name + " in " + where);
                return 1;
            }
            spec.commandLine().getOut().println("tunnel " + name + " removed");
            return 0;
        }
    }
}
