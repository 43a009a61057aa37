package dev.ferry.agent.cli;

import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.doctor.AgentDoctor;
import dev.ferry.doctor.DoctorTarget;
import dev.ferry.doctor.PasswordFile;
import dev.ferry.doctor.PemTrust;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --doctor} and the flags that go only with it. */
final class DoctorOptions {
    @Option(names = "--doctor", description = "Link to the relay, check the tunnel through it as a user would (login, "
            + "LIST over PASV, EPSV and PORT), print one line per check and exit: 0 all OK, 1 any failure. "
            + "Stop the running agent of the tunnel first: the relay keeps one link per tunnel.")
    boolean doctor;

    @Option(names = "--user", paramLabel = "NAME", description = "With --doctor: the FTP login (default: anonymous).")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "With --doctor: a file whose first line is the password.")
    Path passwordFile;

    @Option(names = "--tls", description = "With --doctor: use explicit FTPS (AUTH TLS, PROT P).")
    boolean tls;

    @Option(names = "--tls-trust", paramLabel = "FILE",
            description = "With --doctor --tls: PEM certificates to trust (default: the JDK's trust store).")
    Path tlsTrust;

    @Option(names = "--doctor-address", paramLabel = "HOST:PORT",
            description = "With --doctor: where users reach the tunnel (default: the relay's public address and the "
                    + "tunnel's port from the relay's welcome; port 21 there for a tunnel without one).")
    String address;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "With --doctor: for each connect, reply and transfer (default: 10).")
    Integer timeoutSeconds;

    /** Usage errors for doctor flags given without {@code --doctor}, or with bad values; null when not doctoring. */
    AgentDoctor.Login login(CommandLine cl) {
        if (!doctor) {
            String stray = user != null ? "--user" : passwordFile != null ? "--password-file" : tls ? "--tls"
                    : tlsTrust != null ? "--tls-trust" : address != null ? "--doctor-address"
                    : timeoutSeconds != null ? "--timeout" : null;
            if (stray != null) {
                throw new CommandLine.ParameterException(cl, stray + " only goes with --doctor");
            }
            return null;
        }
        if (tlsTrust != null && !tls) {
            throw new CommandLine.ParameterException(cl, "--tls-trust only goes with --tls");
        }
        String login = user != null ? user : DoctorTarget.ANONYMOUS;
        try {
            String password = passwordFile != null ? PasswordFile.read(passwordFile)
                    : login.equals(DoctorTarget.ANONYMOUS) ? DoctorTarget.ANONYMOUS_PASSWORD : null;
            if (password == null) {
                throw new IllegalArgumentException("--user " + login + " needs --password-file FILE");
            }
            String host = null;
            int port = 0;
            if (address != null) {
                int colon = address.lastIndexOf(':');
                if (colon <= 0 || !address.substring(colon + 1).matches("\\d{1,5}")
                        || Integer.parseInt(address.substring(colon + 1)) < 1 || Integer.parseInt(address.substring(colon + 1)) > 65535) {
                    throw new IllegalArgumentException("Invalid value for option '--doctor-address': expected HOST:PORT with a port 1-65535, got '" + address + "'");
                }
                host = address.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
                port = Integer.parseInt(address.substring(colon + 1));
            }
            int seconds = timeoutSeconds != null ? timeoutSeconds : (int) DoctorTarget.DEFAULT_TIMEOUT.toSeconds();
            if (seconds < 1) {
                throw new IllegalArgumentException("--timeout must be positive, got " + seconds);
            }
            return new AgentDoctor.Login(login, password, tls, tlsTrust != null ? PemTrust.of(tlsTrust) : null, host, port,
                    Duration.ofSeconds(seconds));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    /** Runs the doctor in place of the agent. */
    static int run(AgentConfig config, AgentDoctor.Login login, CommandLine cl) {
        try {
            return new AgentDoctor(config, login, cl.getOut()).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return dev.ferry.doctor.TunnelDoctor.EXIT_FAILED;
        }
    }
}
