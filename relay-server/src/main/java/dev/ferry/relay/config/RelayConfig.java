package dev.ferry.relay.config;

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
        Duration tunnelPollInterval) {

    public static final int DEFAULT_AGENT_PORT = 7835;
    public static final PortRange DEFAULT_PASSIVE_PORTS = new PortRange(40000, 40999);

    public RelayConfig {
        Objects.requireNonNull(dataDir, "--data-dir is required");
        Objects.requireNonNull(publicAddress, "--public-address is required");
        Objects.requireNonNull(bind, "--bind");
        Objects.requireNonNull(agentListen, "--agent-listen");
        Objects.requireNonNull(passivePorts, "--passive-ports");
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

    /** A config with the defaults for everything but the three things a relay must be told. */
    public static RelayConfig defaults(Path dataDir, Inet4Address publicAddress, boolean insecure) {
        try {
            return new RelayConfig(dataDir, publicAddress, InetAddress.getByName("0.0.0.0"),
                    new HostPort("0.0.0.0", DEFAULT_AGENT_PORT), DEFAULT_PASSIVE_PORTS, null, null, insecure, 0,
                    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public RelayConfig withBind(InetAddress newBind) {
        return new RelayConfig(dataDir, publicAddress, newBind, agentListen, passivePorts, tlsCert, tlsKey, insecure,
                eventLoopThreads, streamOpenTimeout, passiveLeaseTimeout, agentHelloTimeout, tunnelPollInterval);
    }

    public RelayConfig withAgentListen(HostPort newAgentListen) {
        return new RelayConfig(dataDir, publicAddress, bind, newAgentListen, passivePorts, tlsCert, tlsKey, insecure,
                eventLoopThreads, streamOpenTimeout, passiveLeaseTimeout, agentHelloTimeout, tunnelPollInterval);
    }

    public RelayConfig withPassivePorts(PortRange newRange) {
        return new RelayConfig(dataDir, publicAddress, bind, agentListen, newRange, tlsCert, tlsKey, insecure,
                eventLoopThreads, streamOpenTimeout, passiveLeaseTimeout, agentHelloTimeout, tunnelPollInterval);
    }

    public RelayConfig withTls(Path cert, Path key) {
        return new RelayConfig(dataDir, publicAddress, bind, agentListen, passivePorts, cert, key, insecure,
                eventLoopThreads, streamOpenTimeout, passiveLeaseTimeout, agentHelloTimeout, tunnelPollInterval);
    }

    public RelayConfig withEventLoopThreads(int threads) {
        return new RelayConfig(dataDir, publicAddress, bind, agentListen, passivePorts, tlsCert, tlsKey, insecure,
                threads, streamOpenTimeout, passiveLeaseTimeout, agentHelloTimeout, tunnelPollInterval);
    }

    public RelayConfig withPassiveLeaseTimeout(Duration timeout) {
        return new RelayConfig(dataDir, publicAddress, bind, agentListen, passivePorts, tlsCert, tlsKey, insecure,
                eventLoopThreads, streamOpenTimeout, timeout, agentHelloTimeout, tunnelPollInterval);
    }
}
