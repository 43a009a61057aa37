package dev.ferry.relay.config;

import dev.ferry.link.LinkWindow;
import dev.ferry.link.admin.AdminSettings;
import dev.ferry.link.flow.MemoryBudget;
import dev.ferry.relay.data.PortRange;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a running relay is told, validated once. Errors name the command-line flag.
 *
 * @param publicAddress the IPv4 address written into rewritten PASV replies
 * @param bind the address FTP and passive listeners bind to
 * @param tlsCert the agent endpoint's certificate, or null to use (or generate) the data dir's
 * @param insecure plaintext agent link (labs only)
 * @param linkWindow the largest flow-control window the relay grants a stream of the agent link
 * @param memoryBudget what the stream windows of every agent link together may make the relay hold
 * @param ftpListen the shared FTP port every tunnel is reachable on, or null for none
 * @param ftps the relay's FTPS settings
 * @param admin the admin listener ({@code --admin-listen}), or {@link AdminSettings#OFF}
 */
public record RelayConfig(
        Path dataDir,
        Inet4Address publicAddress,
        InetAddress bind,
        HostPort agentListen,
        PortRange passivePorts,
        Path tlsCert,
        Path tlsKey,
        boolean insecure,
        int eventLoopThreads,
        Duration streamOpenTimeout,
        Duration passiveLeaseTimeout,
        Duration agentHelloTimeout,
        Duration tunnelPollInterval,
        LinkWindow linkWindow,
        MemoryBudget memoryBudget,
        Limits limits,
        HostPort ftpListen,
        FtpsSettings ftps,
        AdminSettings admin) {

    public static final int DEFAULT_AGENT_PORT = 7835;
    /** The shared FTP port's number when {@code --ftp-listen} is not given. */
    public static final int DEFAULT_FTP_PORT = 21;
    public static final PortRange DEFAULT_PASSIVE_PORTS = new PortRange(40000, 40999);

    public RelayConfig {
        Objects.requireNonNull(dataDir, "--data-dir is required");
        Objects.requireNonNull(publicAddress, "--public-address is required");
        Objects.requireNonNull(bind, "--bind");
        Objects.requireNonNull(agentListen, "--agent-listen");
        Objects.requireNonNull(passivePorts, "--passive-ports");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(linkWindow, "--link-window");
        Objects.requireNonNull(memoryBudget, "--memory-budget");
        Objects.requireNonNull(ftps, "ftps");
        Objects.requireNonNull(admin, "admin");
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key must be given together");
        }
        if (insecure && tlsCert != null) {
            throw new IllegalArgumentException("--insecure cannot be combined with --tls-cert/--tls-key");
        }
        if (eventLoopThreads < 0) {
            throw new IllegalArgumentException("--event-loop-threads must be >= 0 (0 = one per core), got " + eventLoopThreads);
        }
        positive(streamOpenTimeout, "stream open timeout");
        positive(passiveLeaseTimeout, "--data-accept-timeout");
        positive(agentHelloTimeout, "agent hello timeout");
        positive(tunnelPollInterval, "tunnel poll interval");
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** Parses {@code --public-address}: an IPv4 literal, because PASV replies can carry nothing else. */
    public static Inet4Address parsePublicAddress(String text) {
        if (text == null || !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("--public-address must be an IPv4 address (it goes into PASV replies), got '"
                    + text + "'");
        }
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--public-address is not a valid IPv4 address: '" + text + "'");
        }
    }

    public static Builder builder(Path dataDir, Inet4Address publicAddress) {
        return new Builder(dataDir, publicAddress);
    }

    /** Collects settings; {@link #build()} validates them all at once. Starts from the defaults. */
    public static final class Builder {
        private final Path dataDir;
        private final Inet4Address publicAddress;
        private InetAddress bind;
        private HostPort agentListen = new HostPort("0.0.0.0", DEFAULT_AGENT_PORT);
        private PortRange passivePorts = DEFAULT_PASSIVE_PORTS;
        private Path tlsCert;
        private Path tlsKey;
        private boolean insecure;
        private int eventLoopThreads;
        private Duration streamOpenTimeout = Duration.ofSeconds(10);
        private Duration passiveLeaseTimeout = Duration.ofSeconds(30);
        private Duration agentHelloTimeout = Duration.ofSeconds(10);
        private Duration tunnelPollInterval = Duration.ofSeconds(1);
        private LinkWindow linkWindow = LinkWindow.DEFAULT;
        private MemoryBudget memoryBudget;
        private Limits limits = Limits.DEFAULTS;
        private HostPort ftpListen;
        private FtpsSettings ftps = FtpsSettings.NONE;
        private AdminSettings admin = AdminSettings.OFF;

        private Builder(Path dataDir, Inet4Address publicAddress) {
            this.dataDir = dataDir;
            this.publicAddress = publicAddress;
            try {
                this.bind = InetAddress.getByName("0.0.0.0");
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        public Builder bind(InetAddress value) {
            this.bind = value;
            return this;
        }

        public Builder agentListen(HostPort value) {
            this.agentListen = value;
            return this;
        }

        public Builder passivePorts(PortRange value) {
            this.passivePorts = value;
            return this;
        }

        public Builder tls(Path cert, Path key) {
            this.tlsCert = cert;
            this.tlsKey = key;
            return this;
        }

        public Builder insecure(boolean value) {
            this.insecure = value;
            return this;
        }

        public Builder eventLoopThreads(int value) {
            this.eventLoopThreads = value;
            return this;
        }

        public Builder streamOpenTimeout(Duration value) {
            this.streamOpenTimeout = value;
            return this;
        }

        public Builder passiveLeaseTimeout(Duration value) {
            this.passiveLeaseTimeout = value;
            return this;
        }

        public Builder agentHelloTimeout(Duration value) {
            this.agentHelloTimeout = value;
            return this;
        }

        public Builder linkWindow(LinkWindow value) {
            this.linkWindow = value;
            return this;
        }

        /** Defaults to half the JVM's direct memory limit. */
        public Builder memoryBudget(MemoryBudget value) {
            this.memoryBudget = value;
            return this;
        }

        public Builder limits(Limits value) {
            this.limits = value;
            return this;
        }

        /** The shared FTP port; null (the builder's default) for none. */
        public Builder ftpListen(HostPort value) {
            this.ftpListen = value;
            return this;
        }

        public Builder ftps(FtpsSettings value) {
            this.ftps = value;
            return this;
        }

        /** The admin listener; {@link AdminSettings#OFF} (the default) for none. */
        public Builder admin(AdminSettings value) {
            this.admin = value;
            return this;
        }

        public RelayConfig build() {
            return new RelayConfig(dataDir, publicAddress, bind, agentListen, passivePorts, tlsCert, tlsKey, insecure,
                    eventLoopThreads, streamOpenTimeout, passiveLeaseTimeout, agentHelloTimeout, tunnelPollInterval,
                    linkWindow, memoryBudget != null ? memoryBudget : MemoryBudget.forThisProcess(), limits,
                    ftpListen, ftps, admin);
        }
    }
}
