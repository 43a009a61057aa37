package dev.ferry.relay.cli;

import dev.ferry.doctor.CheckResult;
import dev.ferry.doctor.DoctorTarget;
import dev.ferry.doctor.PasswordFile;
import dev.ferry.doctor.PemTrust;
import dev.ferry.doctor.TunnelDoctor;
import dev.ferry.relay.RelayState;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.ftps.FtpsCertificates;
import dev.ferry.relay.tunnel.DomainName;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import javax.net.ssl.X509TrustManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry-relay doctor NAME}: reaches a tunnel the way its users do (the relay's public
 * address and the tunnel's port, or the shared port with {@code USER name@domain}), logs in and
 * runs LIST over PASV, EPSV and PORT. Prints one line per check; exit 0 all OK, 1 any failure,
 * 2 a bad command line.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check a tunnel through the relay as a user would: log in, LIST over PASV, EPSV and PORT "
                + "(over FTPS if the tunnel requires TLS or --tls is given). One line per check; exit 0 all OK, 1 any failure.")
final class DoctorCommand implements Callable<Integer> {
    /** The relay's default shared FTP port ({@code serve --ftp-listen}). */
    static final int DEFAULT_SHARED_PORT = 21;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The tunnel's domain, as in 'tunnel list'.")
    String name;

    @CommandLine.Mixin
    TunnelCommand.DataDir dataDir;

    @Option(names = "--address", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Where users reach the tunnel. Default: the relay's public address (from the data dir) and the "
                    + "tunnel's own FTP port, or the shared port " + DEFAULT_SHARED_PORT + " for a tunnel without one. "
                    + "A port other than the tunnel's own is taken as the shared port (login as USER name@domain).")
    HostPort address;

    @Option(names = "--user", paramLabel = "NAME", defaultValue = DoctorTarget.ANONYMOUS,
            description = "The FTP login (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "A file whose first line is the password (default for anonymous: " + DoctorTarget.ANONYMOUS_PASSWORD + ").")
    Path passwordFile;

    @Option(names = "--tls", description = "Use explicit FTPS (AUTH TLS, PROT P) even if the tunnel does not require it.")
    boolean tls;

    @Option(names = "--tls-trust", paramLabel = "FILE",
            description = "PEM certificates to trust for FTPS. Default: the tunnel's certificate in the data dir (DIR/ftps/).")
    Path tlsTrust;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "For each connect, reply and transfer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        DoctorTarget target = target();
        TunnelDoctor doctor = new TunnelDoctor(target);
        PrintWriter out = spec.commandLine().getOut();
        out.println(doctor.heading());
        List<CheckResult> results = doctor.run();
        results.forEach(r -> out.println(r.line()));
        out.flush();
        return TunnelDoctor.exitCode(results);
    }

    private DoctorTarget target() {
        CommandLine cl = spec.commandLine();
        String key = DomainName.normalize(name).orElseThrow(() -> new CommandLine.ParameterException(cl,
                "NAME '" + name + "' is not a domain name"));
        Path dir = dataDir.existing(spec);
        Tunnel tunnel = new TunnelStore(dir).find(key).orElseThrow(() -> new CommandLine.ParameterException(cl,
                "no tunnel named " + key + " in " + dir + " (see 'ferry-relay tunnel list')"));
        HostPort where = address != null ? address : defaultAddress(cl, dir, tunnel);
        boolean shared = !tunnel.hasDedicatedPort() || where.port() != tunnel.ftpPort();
        boolean useTls = tls || tunnel.tls().requireTls();
        try {
            String password = passwordFile != null ? PasswordFile.read(passwordFile)
                    : user.equals(DoctorTarget.ANONYMOUS) ? DoctorTarget.ANONYMOUS_PASSWORD : null;
            if (password == null) {
                throw new IllegalArgumentException("--user " + user + " needs --password-file FILE");
            }
            return new DoctorTarget(where.host(), where.port(), tunnel.name(), shared, user, password, useTls,
                    useTls ? trust(dir, tunnel.name()) : null, Duration.ofSeconds(timeoutSeconds));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    private static HostPort defaultAddress(CommandLine cl, Path dir, Tunnel tunnel) {
        RelayState.Endpoint relay;
        try {
            relay = new RelayState(dir).read().orElseThrow(() -> new CommandLine.ParameterException(cl,
                    "no relay has started with --data-dir " + dir + " yet, so its public address is unknown: give --address HOST:PORT"));
        } catch (IllegalStateException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage() + "; or give --address HOST:PORT");
        }
        String host = HostPort.parse(relay.hostPort()).host();
        return new HostPort(host, tunnel.hasDedicatedPort() ? tunnel.ftpPort() : DEFAULT_SHARED_PORT);
    }

    /** {@code --tls-trust}, else the tunnel's own certificate from the data dir, else the JDK's trust store. */
    private X509TrustManager trust(Path dir, String tunnel) {
        if (tlsTrust != null) {
            return PemTrust.of(tlsTrust);
        }
        return PemTrust.readAtHandshake(new FtpsCertificates(dir).certFile(tunnel));
    }
}
