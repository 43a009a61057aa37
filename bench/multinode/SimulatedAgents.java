// Many Ferry agents in one JVM, for bench/multinode.py: one agent per token, each linked to every
// node of the relay name exactly as ferry-agent is (the agent's own NodeLinks, NodeLink and
// AgentLinkClient: one TLS channel per node, pinned, with its own backoff and keepalive), sharing
// one set of event loops so that a thousand agents fit in one process.
//
//   java -cp ferry-agent.jar bench/multinode/SimulatedAgents.java NAME:PORT PIN TOKENS-FILE UPSTREAM-HOST:PORT REFRESH-MS [RAMP]
//
// RAMP agents start per second (default: all at once), as a fleet that was not started in one instant.
// It prints "linked N" whenever the number of live links changes, and runs until it is killed.

import dev.ferry.agent.link.AgentLinkClient;
import dev.ferry.agent.link.Backoff;
import dev.ferry.agent.nodes.NodeDiscovery;
import dev.ferry.agent.nodes.NodeLink;
import dev.ferry.agent.nodes.NodeLinks;
import dev.ferry.agent.nodes.RelayResolver;
import dev.ferry.agent.upstream.ActiveListeners;
import dev.ferry.agent.upstream.UpstreamDialer;
import dev.ferry.link.LinkKeepalive;
import dev.ferry.link.tls.CertificatePin;
import dev.ferry.link.tls.LinkTls;
import dev.ferry.link.tls.PinnedTrustManager;
import dev.ferry.link.transport.EventLoops;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

public class SimulatedAgents {
    public static void main(String[] args) throws Exception {
        java.security.Security.setProperty("networkaddress.cache.ttl", "1");
        String[] relay = args[0].split(":");
        PinnedTrustManager trust = new PinnedTrustManager(CertificatePin.parse(args[1]));
        List<String> tokens = Files.readAllLines(Path.of(args[2])).stream().filter(s -> !s.isBlank()).toList();
        String[] up = args[3].split(":");
        InetSocketAddress upstream = new InetSocketAddress(up[0], Integer.parseInt(up[1]));
        NodeDiscovery discovery = new NodeDiscovery(relay[0], Integer.parseInt(relay[1]), RelayResolver.system(),
                Duration.ofMillis(Long.parseLong(args[4])));

        EventLoops loops = EventLoops.create("sim-agents", 2);
        EventLoops control = EventLoops.nio("sim-control", 1);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        SslContext tls = GrpcSslContexts.forClient().trustManager(trust).build();
        UpstreamDialer dialer = new UpstreamDialer(loops, control, upstream, null);
        ActiveListeners active = new ActiveListeners(loops, upstream, Duration.ofSeconds(30), null);
        SecureRandom random = new SecureRandom();
        List<NodeLinks> agents = new ArrayList<>();
        for (String token : tokens) {
            agents.add(new NodeLinks(discovery::label, node -> NettyChannelBuilder.forAddress(node)
                    .eventLoopGroup(loops.group()).channelType(loops.socketChannelType()).directExecutor()
                    .keepAliveTime(LinkKeepalive.INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(LinkKeepalive.AGENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveWithoutCalls(true).sslContext(tls).overrideAuthority(LinkTls.RELAY_CERT_NAME)
                    .disableRetry().build(),
                    (NodeLink.Connector) (node, channel, label, onLive) -> new AgentLinkClient(token, dialer, active, trust,
                            onLive, loops.group(), label, Duration.ofSeconds(15)).connect(channel),
                    () -> new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random), timer, () -> { }));
        }
        int ramp = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        long begun = System.nanoTime();
        int last = -1;
        int started = 0;
        long nextResolve = 0;
        while (true) {
            int due = ramp <= 0 ? agents.size()
                    : (int) Math.min(agents.size(), (System.nanoTime() - begun) / 1_000_000_000.0 * ramp + 1);
            if (System.nanoTime() >= nextResolve || due > started) {
                try {
                    var nodes = discovery.nodes();
                    agents.subList(0, due).forEach(a -> a.update(nodes));
                    started = due;
                } catch (java.net.UnknownHostException e) {
                    System.out.println("cannot resolve " + args[0] + ": " + e.getMessage());
                }
                if (System.nanoTime() >= nextResolve) {
                    nextResolve = System.nanoTime() + discovery.refresh().toNanos();
                }
            }
            int live = agents.stream().mapToInt(NodeLinks::liveCount).sum();
            if (live != last) {
                System.out.println("linked " + live);
                last = live;
            }
            Thread.sleep(50);
        }
    }
}
