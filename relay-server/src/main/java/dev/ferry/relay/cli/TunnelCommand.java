package dev.ferry.relay.cli;

import dev.ferry.relay.RelayState;
import dev.ferry.relay.ftps.FtpsCertificates;
import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.DomainName;
import dev.ferry.relay.tunnel.TlsPolicy;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
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

    /** The data dir option every tunnel command shares. */
    static final class DataDir {
        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "ferry-data",
                description = "The relay's data dir (default: ${DEFAULT-VALUE}).")
        Path dir;
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

        @CommandLine.Mixin
        DataDir dataDir;

        @CommandLine.Mixin
        CertFiles certFiles;

        @Option(names = "--require-tls", description = "FTPS clients must send AUTH TLS before USER (else 530).")
        boolean requireTls;

        @Option(names = "--require-tls-reuse",
                description = "A protected data connection must resume the control connection's TLS session.")
        boolean requireTlsReuse;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String token = AgentToken.generate(new SecureRandom());
            int port = ftpPort == null ? Tunnel.SHARED_ONLY : ftpPort;
            RelayCertificate ftpsCert;
            try {
                name = DomainName.normalize(name).orElse(name);
                Tunnel.validateName(name);
                if (ftpPort != null && (port < 1 || port > 65535)) {
                    throw new IllegalArgumentException("--ftp-port must be 1-65535, got " + port);
                }
                certFiles.check();
                TunnelStore store = new TunnelStore(dataDir.dir);
                if (store.find(name).isPresent()) {
                    throw new IllegalArgumentException("tunnel " + name + " already exists");
                }
                ftpsCert = certFiles.install(dataDir.dir, name);
                store.add(new Tunnel(name, port, AgentToken.sha256Hex(token), new TlsPolicy(requireTls, requireTlsReuse)));
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            RelayState.Endpoint relay = new RelayState(dataDir.dir).read()
                    .orElse(new RelayState.Endpoint("RELAY_HOST:7835", false, null));
            String trust;
            if (relay.insecure()) {
                trust = "--insecure";
            } else {
                String pin = relay.pin() != null ? relay.pin()
                        : RelayCertificate.loadOrGenerate(dataDir.dir, new SecureRandom()).pin().toString();
                trust = "--pin " + pin;
            }
            out.println(ftpPort == null
                    ? "tunnel " + name + " registered on the relay's shared FTP port."
                    : "tunnel " + name + " registered on FTP port " + port + " and the relay's shared FTP port.");
            out.println(certFiles.describe(name, ftpsCert));
            out.println("agent token (shown only now; the relay keeps only its hash): " + token);
            if (relay.hostPort().startsWith("RELAY_HOST")) {
                out.println("(no relay has run with this data dir yet: replace RELAY_HOST with its public address)");
            }
            out.println("run this beside the FTP server:");
            out.println("java -jar ferry-agent.jar --relay " + relay.hostPort() + " --token " + token + " "
                    + trust + " --upstream 127.0.0.1:21");
            out.flush();
            return 0;
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
                if (new TunnelStore(dataDir.dir).find(name).isEmpty()) {
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

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            java.util.List<Tunnel> tunnels = new TunnelStore(dataDir.dir).list();
            if (tunnels.isEmpty()) {
                out.println("no tunnels in " + dataDir.dir);
            }
            for (Tunnel t : tunnels) {
                out.printf("%-40s %s%s%s%n", t.name(), t.hasDedicatedPort() ? "ftp port " + t.ftpPort() : "shared port only",
                        t.tls().requireTls() ? ", requires TLS" : "", t.tls().requireReuse() ? ", requires TLS reuse" : "");
            }
            out.flush();
            return 0;
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

        @Override
        public Integer call() {
            boolean removed;
            try {
                removed = new TunnelStore(dataDir.dir).remove(name);
                if (removed) {
                    new FtpsCertificates(dataDir.dir).remove(name);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (!removed) {
                spec.commandLine().getErr().println("ferry-relay: no tunnel named " + name + " in " + dataDir.dir);
                return 1;
            }
            spec.commandLine().getOut().println("tunnel " + name + " removed");
            return 0;
        }
    }
}
