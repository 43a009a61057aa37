package dev.ferry.relay.cli;

import dev.ferry.relay.RelayState;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.AgentToken;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelConflictException;
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
        subcommands = {TunnelCommand.Add.class, TunnelCommand.List.class, TunnelCommand.Remove.class})
final class TunnelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: add, list or remove");
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

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Register a tunnel and print its agent token (shown once) and agent command.")
    static final class Add implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The domain users will type, e.g. alice.ftp.example.net.")
        String name;

        @Option(names = "--ftp-port", required = true, paramLabel = "PORT", description = "The tunnel's public FTP port.")
        int ftpPort;

        @Option(names = "--relay-address", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
                description = "The address agents dial, for the printed agent command. Default: what 'serve' wrote "
                        + "into the data dir (its --public-address and agent port); required before 'serve' has run.")
        HostPort relayAddress;

        @CommandLine.Mixin
        DataDir dataDir;

        @Override
        public Integer call() {
            CommandLine cl = spec.commandLine();
            try {
                Tunnel.validateName(name);
                if (ftpPort < 1 || ftpPort > 65535) {
                    throw new IllegalArgumentException("--ftp-port must be 1-65535, got " + ftpPort);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
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
            try {
                new TunnelStore(dir).add(new Tunnel(name, ftpPort, AgentToken.sha256Hex(token)));
            } catch (TunnelConflictException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
            PrintWriter out = cl.getOut();
            out.println("tunnel " + name + " registered on FTP port " + ftpPort + ".");
            out.println("agent token (shown only now; the relay keeps only its hash): " + token);
            out.println("run this beside the FTP server:");
            out.println("java -jar ferry-agent.jar --relay " + agentAddress + " --token " + token + " "
                    + trust + " --upstream 127.0.0.1:21");
            out.flush();
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
            Path dir = dataDir.existing(spec);
            TunnelStore.Snapshot store = new TunnelStore(dir).read();
            if (store.tunnels().isEmpty() && store.unreadable().isEmpty()) {
                out.println("no tunnels in " + dir);
            }
            for (Tunnel t : store.tunnels()) {
                out.printf("%-40s ftp port %d%n", t.name(), t.ftpPort());
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

        @Override
        public Integer call() {
            boolean removed;
            try {
                removed = new TunnelStore(dataDir.existing(spec)).remove(name);
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
