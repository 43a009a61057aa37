package dev.ferry.e2e;

import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.link.LinkWindow;
import dev.ferry.relay.RelayServer;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.data.PortRange;
import dev.ferry.relay.registry.RegistrySettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/**
 * Several relays in this JVM sharing one registry, each on its own loopback address (its public address
 * too), node ids {@code node-1}, {@code node-2}, ...; plus agents for a tunnel on each of them.
 */
final class RelayNodes implements AutoCloseable {
    final List<String> hosts;
    final List<RelayServer> relays = new ArrayList<>();
    final List<Path> dataDirs = new ArrayList<>();
    private final List<Agent> agents = new ArrayList<>();
    private final List<CompletableFuture<LinkOutcome>> runs = new ArrayList<>();

    private RelayNodes(List<String> hosts) {
        this.hosts = hosts;
    }

    static RelayNodes start(Path dir, RegistrySettings registry, String... hosts) throws Exception {
        return start(dir, i -> registry, hosts);
    }

    /** Relay {@code i} uses the registry {@code registries.apply(i)} names (say, one etcd member only). */
    static RelayNodes start(Path dir, java.util.function.IntFunction<RegistrySettings> registries, String... hosts)
            throws Exception {
        RelayNodes nodes = new RelayNodes(List.of(hosts));
        try {
            for (int i = 0; i < hosts.length; i++) {
                Path data = dir.resolve("relay-" + (i + 1));
                int[] passive = FreePorts.range(hosts[i], 20);
                RelayConfig config = RelayConfig.builder(data, RelayConfig.parsePublicAddress(hosts[i]))
                        .bind(InetAddress.getByName(hosts[i]))
                        .agentListen(new HostPort(hosts[i], 0))
                        .passivePorts(new PortRange(passive[0], passive[1]))
                        .eventLoopThreads(1)
                        .build();
                nodes.dataDirs.add(data);
                nodes.relays.add(new RelayServer(config, registries.apply(i), "node-" + (i + 1)).start());
            }
        } catch (Exception | AssertionError e) {
            nodes.close();
            throw e;
        }
        return nodes;
    }

    RelayServer relay(int i) {
        return relays.get(i);
    }

    /** Starts an agent for {@code token} linked to relay {@code i} and waits until it is welcomed. */
    void startAgent(int i, String token, InetSocketAddress upstream) throws Exception {
        RelayServer relay = relays.get(i);
        Agent agent = new Agent(new AgentConfig(hosts.get(i), relay.agentPort(), token, relay.certificate().orElseThrow().pin(),
                false, upstream, 1, LinkWindow.DEFAULT), new SecureRandom());
        CompletableFuture<LinkOutcome> run = CompletableFuture.supplyAsync(agent::run);
        agents.add(agent);
        runs.add(run);
        if (!agent.awaitLive(Duration.ofSeconds(20))) {
            throw new AssertionError("agent for relay " + (i + 1) + " was not welcomed: " + run.getNow(null));
        }
    }

    /** A logged-in binary-mode commons-net client of relay {@code i}'s FTP port {@code port}. */
    FTPClient login(int i, int port) throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.setDataTimeout(Duration.ofSeconds(20));
        ftp.connect(hosts.get(i), port);
        if (ftp.getReplyCode() != 220 || !ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)) {
            String reply = ftp.getReplyString();
            ftp.disconnect();
            throw new IOException("could not log in through relay " + (i + 1) + ": " + reply);
        }
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        ftp.enterLocalPassiveMode();
        return ftp;
    }

    @Override
    public void close() {
        for (Agent agent : agents) {
            agent.close();
        }
        for (CompletableFuture<LinkOutcome> run : runs) {
            try {
                run.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already reported by the test if it mattered
            }
        }
        for (RelayServer relay : relays) {
            relay.close();
        }
    }
}
