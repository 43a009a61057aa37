package dev.ferry.relay.cli;

import dev.ferry.link.LinkWindow;
import dev.ferry.link.cli.OneLineErrors;
import dev.ferry.link.lifecycle.DrainTimeout;
import dev.ferry.link.lifecycle.Drainable;
import dev.ferry.link.lifecycle.GracefulStop;
import dev.ferry.link.flow.MemoryBudget;
import dev.ferry.link.admin.AdminSettings;
import dev.ferry.relay.admin.RelayAdmin;
import dev.ferry.relay.RelayServer;
import dev.ferry.relay.config.FtpsSettings;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.Limits;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.data.PortRange;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.ferry.link.Sizes;
import dev.ferry.relay.observe.ObserveSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** {@code ferry-relay serve}: runs the relay until it is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the relay: the agent endpoint and every registered tunnel's FTP port.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    /** The most a stop may take before the JVM is halted; {@link RelayServer#close()} needs about 8 s at worst. */
    static final Duration STOP_DEADLINE = Duration.ofSeconds(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    dev.ferry.link.cli.ConfigOption configFile;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Where tunnels, the generated certificate and relay.properties live.")
    Path dataDir;

    @Option(names = "--public-address", required = true, paramLabel = "ADDR",
            converter = Converters.PublicAddressConverter.class,
            description = "IPv4 address clients reach this relay at; written into rewritten PASV replies.")
    Inet4Address publicAddress;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
            converter = Converters.AddressConverter.class,
            description = "Address the FTP and passive listeners bind to (default: ${DEFAULT-VALUE}).")
    InetAddress bind;

    @Option(names = "--agent-listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:7835",
            converter = Converters.HostPortConverter.class,
            description = "Where agents connect (default: ${DEFAULT-VALUE}).")
    HostPort agentListen;

    @Option(names = "--ftp-listen", paramLabel = "HOST:PORT|off", converter = Converters.FtpListenConverter.class,
            description = "The shared FTP port: every tunnel is reachable here, routed by HOST, TLS SNI or "
                    + "USER name@domain; 'off' for none (default: port " + RelayConfig.DEFAULT_FTP_PORT + " on --bind).")
    Converters.FtpListen ftpListen;

    @Option(names = "--passive-ports", paramLabel = "LOW-HIGH", defaultValue = "40000-40999",
            converter = Converters.PortRangeConverter.class,
            description = "Ports leased to clients for passive data connections (default: ${DEFAULT-VALUE}).")
    PortRange passivePorts;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate for the agent endpoint.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8) for --tls-cert.")
    Path tlsKey;

    @Option(names = "--ftps-cert", paramLabel = "FILE",
            description = "PEM certificate for FTPS clients that name no tunnel (default: generated into DIR).")
    Path ftpsCert;

    @Option(names = "--ftps-key", paramLabel = "FILE", description = "PEM private key for --ftps-cert.")
    Path ftpsKey;

    @Option(names = "--ftps-listen", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Serve implicit FTPS here (990 in production); the TLS SNI picks the tunnel (default: off).")
    HostPort ftpsListen;

    @Option(names = "--insecure", description = "Plaintext agent link, for labs only.")
    boolean insecure;

    @Option(names = "--data-accept-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a leased passive port waits for the client (default: ${DEFAULT-VALUE}).")
    int dataAcceptTimeout;

    @Option(names = "--event-loop-threads", paramLabel = "N", defaultValue = "0",
            description = "Network threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int eventLoopThreads;

    @Option(names = "--max-sessions-per-ip", paramLabel = "N", defaultValue = "20",
            description = "Concurrent FTP sessions from one client IP (default: ${DEFAULT-VALUE}).")
    int maxSessionsPerIp;

    @Option(names = "--max-sessions-per-tunnel", paramLabel = "N", defaultValue = "1000",
            description = "Concurrent FTP sessions to one tunnel (default: ${DEFAULT-VALUE}).")
    int maxSessionsPerTunnel;

    @Option(names = "--max-passive-per-ip", paramLabel = "N", defaultValue = "20",
            description = "Passive ports leased to one client IP at once (default: ${DEFAULT-VALUE}).")
    int maxPassivePerIp;

    @Option(names = "--login-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Connect to successful login, or the session is closed (default: ${DEFAULT-VALUE}).")
    int loginTimeout;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Idle session (no commands, no transfer) closed after (default: ${DEFAULT-VALUE}).")
    int idleTimeout;

    @Option(names = "--max-login-failures", paramLabel = "N", defaultValue = "10",
            description = "Failed logins from one IP to one tunnel before it is refused for a while (default: ${DEFAULT-VALUE}).")
    int maxLoginFailures;

    @Option(names = "--login-failure-window", paramLabel = "MINUTES", defaultValue = "15",
            description = "How long failed logins are remembered and an IP stays refused (default: ${DEFAULT-VALUE}).")
    int loginFailureWindow;

    @Option(names = "--link-window", paramLabel = "SIZE", defaultValue = "16MiB",
            converter = Converters.LinkWindowConverter.class,
            description = "Largest flow-control window one connection may grow to on the agent link: the most in flight "
                    + "per download (about half a window moves per round trip; default: ${DEFAULT-VALUE}).")
    LinkWindow linkWindow;

    @Option(names = "--memory-budget", paramLabel = "SIZE", converter = Converters.MemoryBudgetConverter.class,
            description = "Buffer memory all agent-link stream windows together may hold for clients that read slowly "
                    + "or not at all; at most the JVM's direct memory limit (default: half of it).")
    MemoryBudget memoryBudget;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "" + DrainTimeout.DEFAULT_SECONDS,
            description = "After SIGTERM: how long running transfers may take to finish before they are cut; "
                    + "0 closes at once (default: ${DEFAULT-VALUE}).")
    int drainTimeout;
    @Option(names = "--access-log", paramLabel = "FILE",
            description = "Write one JSON line per FTP session, data transfer, login and refused client to FILE "
                    + "(rotated by size: FILE.1 is the newest old file).")
    Path accessLog;

    @Option(names = "--access-log-max-size", paramLabel = "SIZE", defaultValue = "100MiB",
            description = "Roll the access log over at this size (default: ${DEFAULT-VALUE}).")
    String accessLogMaxSize;

    @Option(names = "--access-log-files", paramLabel = "N", defaultValue = "5",
            description = "Old access log files to keep (default: ${DEFAULT-VALUE}).")
    int accessLogFiles;

    @Option(names = "--metrics-per-tunnel",
            description = "Label session, transfer and byte metrics with the tunnel name (one series per tunnel).")
    boolean metricsPerTunnel;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Serve the admin HTTP API here (/metrics, /livez, /readyz, /api/tunnels), with the bearer token "
                    + "in DIR/admin.token; plain HTTP on a loopback address, TLS with the relay's certificate otherwise "
                    + "(default: off).")
    HostPort adminListen;

    @Option(names = "--admin-tls", description = "With --admin-listen on a loopback address: TLS there too.")
    boolean adminTls;
    @CommandLine.Mixin
    RegistryOptions registryOptions;

    @Option(names = "--node-id", paramLabel = "ID",
            description = "This relay's name among the nodes sharing --registry (default: PUBLIC-ADDRESS:AGENT-PORT).")
    String nodeId;

    @Override
    public Integer call() throws InterruptedException {
        RelayConfig config;
        ObserveSettings observe;
        dev.ferry.relay.registry.RegistrySettings registrySettings;
        Duration drain;
        try {
            drain = DrainTimeout.ofSeconds(drainTimeout);
            observe = new ObserveSettings(accessLog, Sizes.parse("--access-log-max-size", accessLogMaxSize,
                    1024, 1L << 40, "between 1KiB and 1024GiB"), accessLogFiles, metricsPerTunnel);
            config = RelayConfig.builder(dataDir, publicAddress)
                    .insecure(insecure).bind(bind).agentListen(agentListen).passivePorts(passivePorts)
                    .eventLoopThreads(eventLoopThreads).tls(tlsCert, tlsKey).linkWindow(linkWindow)
                    .memoryBudget(memoryBudget)
                    .passiveLeaseTimeout(Duration.ofSeconds(dataAcceptTimeout))
                    .ftpListen(ftpListen != null ? ftpListen.address()
                            : new HostPort(bind.getHostAddress(), RelayConfig.DEFAULT_FTP_PORT))
                    .ftps(new FtpsSettings(ftpsCert, ftpsKey, ftpsListen))
                    .admin(adminSettings())
                    .limits(new Limits(maxSessionsPerIp, maxSessionsPerTunnel, maxPassivePerIp,
                            Duration.ofSeconds(loginTimeout), Duration.ofSeconds(idleTimeout),
                            Limits.DEFAULTS.loginFailuresBeforeDelay(), maxLoginFailures,
                            Duration.ofMinutes(loginFailureWindow)))
                    .build();
            registrySettings = registryOptions.settings();
            if (nodeId != null) {
                dev.ferry.relay.registry.RelayNode.validateId(nodeId);
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        RelayServer relay;
        try {
            if (!Files.exists(dataDir)) {
                Files.createDirectories(dataDir);
                log.info("created the data dir {} (--data-dir)", dataDir.toAbsolutePath());
            } else if (!Files.isDirectory(dataDir)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--data-dir " + dataDir + ": not a directory");
            }
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--data-dir " + dataDir + ": cannot create it: "
                    + e.getMessage());
        }
        try {
            relay = new RelayServer(config, registrySettings, nodeId, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    observe).start();
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("ferry-relay: " + OneLineErrors.describe(e));
            spec.commandLine().getErr().flush();
            return 1;
        }
        try (GracefulStop stop = GracefulStop.install("ferry-relay", log, new Drainable() {
            @Override
            public java.util.concurrent.CompletionStage<?> drain(String cause, Duration timeout) {
                return relay.drain(cause, timeout);
            }

            @Override
            public void stop() {
                relay.close();
            }
        }, drain, STOP_DEADLINE)) {
            return stop.awaitExit();
        }
    }

    private AdminSettings adminSettings() {
        if (adminListen == null) {
            if (adminTls) {
                throw new IllegalArgumentException("--admin-tls only goes with --admin-listen");
            }
            return AdminSettings.OFF;
        }
        return new AdminSettings(adminListen.toSocketAddress(), dataDir.resolve(RelayAdmin.TOKEN_FILE), adminTls);
    }
}
