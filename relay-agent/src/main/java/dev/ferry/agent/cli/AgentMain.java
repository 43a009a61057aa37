package dev.ferry.agent.cli;

import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.admin.AgentAdmin;
import dev.ferry.link.admin.AdminServer;
import dev.ferry.link.admin.AdminSettings;
import dev.ferry.agent.embedded.EmbeddedFtpServer;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.agent.upstream.UpstreamTls;
import dev.ferry.link.LinkWindow;
import dev.ferry.link.cli.OneLineErrors;
import dev.ferry.link.cli.StopOnSignal;
import dev.ferry.link.tls.CertificatePin;
import dev.ferry.link.transport.ProcessDefaults;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry-agent}: runs beside the FTP server and dials out to the relay. */
@Command(name = "ferry-agent", mixinStandardHelpOptions = true, version = "ferry-agent 0.1",
        description = "Ferry agent: publishes an FTP server behind NAT through a Ferry relay.")
public final class AgentMain implements Callable<Integer> {
    /** Exit code when the relay refuses the token or its certificate does not match the pin. */
    public static final int EXIT_REFUSED = 3;
    /** The most a stop may take before the JVM is halted (the agent's own shutdown needs about 6 s at worst). */
    static final java.time.Duration STOP_DEADLINE = java.time.Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--relay", required = true, paramLabel = "HOST:PORT", description = "The relay's agent endpoint.")
    String relay;

    @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "The tunnel's agent token.")
    String token;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--upstream", paramLabel = "HOST:PORT", description = "The FTP server to publish.")
        String upstream;

        @Option(names = "--serve-dir", paramLabel = "DIR",
                description = "Share DIR with an embedded FTP server (loopback only) instead of --upstream.")
        Path serveDir;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Trust trust;

    static final class Trust {
        @Option(names = "--pin", paramLabel = "sha256:HEX", description = "The relay certificate's pin.")
        String pin;

        @Option(names = "--insecure", description = "Plaintext link (the relay must run with --insecure too).")
        boolean insecure;
    }

    @Option(names = "--serve-login", paramLabel = "USER:PASSWORD",
            description = "With --serve-dir: a login that may also upload (anonymous users can only read).")
    String serveLogin;

    @Option(names = "--upstream-tls",
            description = "Speak FTPS to the FTP server (AUTH TLS, PROT P, TLS on every data connection, resuming the "
                    + "control connection's session), for servers that insist on TLS. Needs --upstream-pin or --upstream-insecure.")
    boolean upstreamTls;

    @Option(names = "--upstream-pin", paramLabel = "sha256:HEX",
            description = "With --upstream-tls: the SHA-256 of the FTP server's certificate; any other is refused.")
    String upstreamPin;

    @Option(names = "--upstream-insecure",
            description = "With --upstream-tls: accept any certificate from the FTP server (encrypted, not authenticated).")
    boolean upstreamInsecure;

    @Option(names = "--event-loop-threads", paramLabel = "N", defaultValue = "0",
            description = "Network threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int eventLoopThreads;

    @Option(names = "--link-window", paramLabel = "SIZE", defaultValue = "16MiB",
            description = "Flow-control window per connection on the link: the most in flight per upload "
                    + "(about half a window moves per round trip) and the most held for a server that stops reading (default: ${DEFAULT-VALUE}).")
    String linkWindow;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT",
            description = "Serve the admin HTTP API here (/metrics, /livez, /readyz) with the bearer token in "
                    + "--admin-token-file; plain HTTP on a loopback address, TLS with --admin-tls-cert otherwise (default: off).")
    String adminListen;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "With --admin-listen: the admin bearer token's file, generated there (mode 0600) on first start.")
    Path adminTokenFile;

    @Option(names = "--admin-tls-cert", paramLabel = "FILE",
            description = "With --admin-listen: PEM certificate for TLS on the admin listener (needed off loopback).")
    Path adminTlsCert;

    @Option(names = "--admin-tls-key", paramLabel = "FILE", description = "PKCS#8 PEM private key for --admin-tls-cert.")
    Path adminTlsKey;

    @CommandLine.Mixin
    DoctorOptions doctorOptions;

    public static void main(String[] args) {
        ProcessDefaults.apply();
        System.exit(commandLine().execute(args));
    }

    /** The command line, for tests and main: every failure is one line on stderr. */
    public static CommandLine commandLine() {
        return OneLineErrors.install(new CommandLine(new AgentMain()));
    }

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        String[] relayParts = splitHostPort(cl, "--relay", relay);
        LinkWindow window;
        try {
            window = LinkWindow.parse(linkWindow);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "Invalid value for option '--link-window': "
                    + e.getMessage().replace("--link-window ", ""));
        }
        CertificatePin pin = null;
        if (trust.pin != null) {
            try {
                pin = CertificatePin.parse(trust.pin);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "Invalid value for option '--pin': " + e.getMessage());
            }
        }
        if (serveLogin != null && target.serveDir == null) {
            throw new CommandLine.ParameterException(cl, "--serve-login only goes with --serve-dir");
        }
        dev.ferry.agent.doctor.AgentDoctor.Login doctorLogin = doctorOptions.login(cl);
        UpstreamTls upstreamTlsConfig;
        try {
            upstreamTlsConfig = UpstreamTls.fromFlags(upstreamTls, upstreamPin, upstreamInsecure);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (upstreamTlsConfig != null && target.serveDir != null) {
            throw new CommandLine.ParameterException(cl, "--upstream-tls only goes with --upstream (the --serve-dir server speaks plain FTP on loopback)");
        }
        EmbeddedFtpServer embedded = null;
        InetSocketAddress upstream;
        if (target.serveDir != null) {
            try {
                embedded = EmbeddedFtpServer.start(target.serveDir, serveLogin);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
            upstream = embedded.address();
        } else {
            String[] up = splitHostPort(cl, "--upstream", target.upstream);
            try {
                upstream = new InetSocketAddress(InetAddress.getByName(up[0]), Integer.parseInt(up[1]));
            } catch (UnknownHostException e) {
                throw new CommandLine.ParameterException(cl, "Invalid value for option '--upstream': unknown host " + up[0]);
            }
        }
        AgentConfig config;
        try {
            config = new AgentConfig(relayParts[0], Integer.parseInt(relayParts[1]), token, pin, trust.insecure,
                    upstream, eventLoopThreads, window, upstreamTlsConfig);
        } catch (IllegalArgumentException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (doctorLogin != null) {
            try {
                return DoctorOptions.run(config, doctorLogin, cl);
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }
        AdminSettings admin;
        try {
            admin = adminSettings(cl);
        } catch (CommandLine.ParameterException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
        Agent agent = new Agent(config, new SecureRandom());
        AdminServer adminServer = null;
        if (admin.enabled()) {
            try {
                adminServer = AgentAdmin.start(admin, adminTlsCert, adminTlsKey, agent.readiness(), agent.meters(),
                        new SecureRandom());
            } catch (RuntimeException e) {
                if (embedded != null) {
                    embedded.close();
                }
                if (e instanceof IllegalArgumentException) {
                    throw new CommandLine.ParameterException(cl, e.getMessage());
                }
                cl.getErr().println("ferry-agent: " + OneLineErrors.describe(e));
                return 1;
            }
        }
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Thread hook = StopOnSignal.install("ferry-agent", log,
                () -> "the link to relay " + relay + " closes and the FTP connections through it are reset",
                () -> {
                    agent.close();
                    try {
                        finished.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, STOP_DEADLINE);
        try {
            LinkOutcome outcome = agent.run();
            if (outcome.permanent()) {
                cl.getErr().println("ferry-agent: " + outcome.detail());
                return EXIT_REFUSED;
            }
            return 0;
        } finally {
            if (adminServer != null) {
                adminServer.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            finished.countDown();
            removeHook(hook);
        }
    }

    /** After a normal end (refused, or a test calling {@link #call()}), the hook has nothing left to stop. */
    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook is running
        }
    }

    private static final java.util.regex.Pattern HOST_NAME = java.util.regex.Pattern.compile(
            "(?=.{1,253}\\.?$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?");

    private AdminSettings adminSettings(CommandLine cl) {
        if (adminListen == null) {
            if (adminTokenFile != null || adminTlsCert != null || adminTlsKey != null) {
                throw new CommandLine.ParameterException(cl,
                        "--admin-token-file, --admin-tls-cert and --admin-tls-key only go with --admin-listen");
            }
            return AdminSettings.OFF;
        }
        String[] hostPort = splitHostPort(cl, "--admin-listen", adminListen);
        if (adminTokenFile == null) {
            throw new CommandLine.ParameterException(cl, "--admin-listen needs --admin-token-file FILE "
                    + "(the admin bearer token is generated there on first start)");
        }
        if ((adminTlsCert == null) != (adminTlsKey == null)) {
            throw new CommandLine.ParameterException(cl, "--admin-tls-cert and --admin-tls-key must be given together");
        }
        try {
            return new AdminSettings(new InetSocketAddress(InetAddress.getByName(hostPort[0]),
                    Integer.parseInt(hostPort[1])), adminTokenFile, adminTlsCert != null);
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(cl, "Invalid value for option '--admin-listen': unknown host "
                    + hostPort[0]);
        }
    }

    private static String[] splitHostPort(CommandLine cl, String flag, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        String port = colon > 0 ? value.substring(colon + 1) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new CommandLine.ParameterException(cl,
                    "Invalid value for option '" + flag + "': expected HOST:PORT with a port 1-65535, got '" + value + "'");
        }
        if (!HOST_NAME.matcher(host).matches() && !(host.contains(":") && IPV6.matcher(host).matches())) {
            throw new CommandLine.ParameterException(cl, "Invalid value for option '" + flag + "': '" + host
                    + "' is not a host name or IP address, in '" + value + "'");
        }
        return new String[] {host, port};
    }
}
