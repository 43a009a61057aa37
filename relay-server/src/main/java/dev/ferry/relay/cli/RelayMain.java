package dev.ferry.relay.cli;

import dev.ferry.link.cli.OneLineErrors;
import dev.ferry.link.transport.ProcessDefaults;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ferry-relay}: the public side of Ferry. */
@Command(name = "ferry-relay", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Ferry relay: gives FTP servers behind NAT a public address.",
        subcommands = {ServeCommand.class, TunnelCommand.class, DoctorCommand.class})
public final class RelayMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        ProcessDefaults.apply();
        System.exit(commandLine().execute(args));
    }

    /** The command line, for tests and main. */
    public static CommandLine commandLine() {
        return OneLineErrors.install(new CommandLine(new RelayMain()));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: serve, tunnel or doctor");
    }
}
