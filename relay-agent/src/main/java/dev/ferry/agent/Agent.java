package dev.ferry.agent;

import dev.ferry.agent.drain.OpenSessions;
import dev.ferry.agent.link.AgentLinkClient;
import dev.ferry.agent.link.Backoff;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.agent.nodes.NodeDiscovery;
import dev.ferry.agent.nodes.NodeLink;
import dev.ferry.agent.nodes.NodeLinks;
import dev.ferry.agent.observe.AgentMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.ferry.agent.upstream.ActiveListeners;
import dev.ferry.agent.upstream.UpstreamDialer;
import dev.ferry.agent.upstream.UpstreamTlsSessions;
import dev.ferry.link.flow.BudgetedNegotiator;
import dev.ferry.link.flow.MemoryBudget;
import dev.ferry.link.flow.WindowBudget;
import dev.ferry.link.LinkKeepalive;
import dev.ferry.link.admin.JvmMeters;
import dev.ferry.link.admin.Readiness;
import dev.ferry.agent.admin.AgentChecks;
import dev.ferry.link.tls.LinkTls;
import dev.ferry.link.tls.PinnedTrustManager;
import dev.ferry.link.transport.EventLoops;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.InternalNettyChannelBuilder;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: keeps a link to every relay node up (one per address the relay name resolves
 * to), each reconnecting with jittered exponential backoff, until it is stopped or every node
 * refuses it for good.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** From dialling to the relay's welcome: above the relay's 10 s TLS handshake and hello limits. */
    static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(15);

    private final AgentConfig config;
    /** Stream windows of every link this agent opens, against half its direct memory limit (uploads). */
    private final WindowBudget windows;
    private final RandomGenerator random;
    private final NodeDiscovery discovery;
    /** Between lookups of the relay name while it does not resolve. */
    private final Backoff resolveBackoff;
    private final CompletableFuture<LinkOutcome> stoppedOutcome = new CompletableFuture<>();
    private final CountDownLatch live = new CountDownLatch(1);
    /** The relay's last welcome (any node's): the tunnel's name, public address and FTP port. */
    private volatile dev.ferry.proto.v1.Welcome welcome;
    private volatile boolean closing;
    private volatile NodeLinks links;
    private ScheduledExecutorService timer;
    private Set<InetSocketAddress> lastNodes;
    /** The addresses the relay name resolved to last, and the serving nodes a relay listed last. */
    private volatile Set<InetSocketAddress> resolved = Set.of();
    private volatile Set<InetSocketAddress> advertised = Set.of();
    private EventLoops loops;
    private EventLoops controlLoops;
    /** The current link's channel and older ones whose transfers are still finishing. */
    private final java.util.Queue<ManagedChannel> channels = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The FTP sessions through this agent (its control connections to the server), for the drain. */
    private final OpenSessions sessions = new OpenSessions();
    /** The link clients of every node whose link is being made or is up, to tell each relay node of a drain. */
    private final Set<AgentLinkClient> linkClients = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** What {@code /readyz} answers; see {@link AgentChecks}. */
    private final Readiness readiness = new Readiness();
    /** Set while draining: {@code /readyz} answers 503. */
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();

    /** The agent's one meter registry (its admin listener's {@code /metrics} serves it). */
    private final PrometheusMeterRegistry meters;
    private final AgentMeters agentMeters;

    public Agent(AgentConfig config, RandomGenerator random) {
        this(config, random, NodeDiscovery.of(config.relayHost(), config.relayPort()));
    }

    /** @param discovery where the relay nodes are (the relay name, resolved again and again) */
    public Agent(AgentConfig config, RandomGenerator random, NodeDiscovery discovery) {
        this(config, random, discovery, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** @param meters where the agent's meters go (its admin listener's {@code /metrics} serves them) */
    public Agent(AgentConfig config, RandomGenerator random, NodeDiscovery discovery, PrometheusMeterRegistry meters) {
        this.meters = meters;
        String version = Agent.class.getPackage().getImplementationVersion();
        this.agentMeters = new AgentMeters(meters, version == null ? "dev" : version);
        this.config = config;
        this.random = random;
        this.discovery = discovery;
        this.windows = WindowBudget.forLink(MemoryBudget.forThisProcess(), config.linkWindow());
        this.resolveBackoff = new Backoff(Duration.ofMillis(500), discovery.refresh(), random);
        JvmMeters.bindTo(meters);
        AgentChecks.register(readiness, config.relayHost() + ":" + config.relayPort(), this::isLinked, config.upstream(),
                draining::get);
    }

    /** The meter registry every part of the agent records into; {@code /metrics} serves it. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** The readiness checks behind {@code /readyz}; other parts may add their own. */
    public Readiness readiness() {
        return readiness;
    }

    /** Marks the agent as draining (or not): {@code /readyz} answers 503 while it is. */
    public void setDraining(boolean value) {
        draining.set(value);
    }

    public boolean isDraining() {
        return draining.get();
    }

    /** Whether at least one relay node has welcomed the agent and that link is up. */
    public boolean isLinked() {
        NodeLinks current = links;
        return current != null && current.liveCount() > 0;
    }

    /**
     * Runs until {@link #close()} or until every relay node refused the agent for good. Keeps one
     * link to each node the relay name resolves to, and looks the name up again every refresh.
     *
     * @return the outcome that ended it: STOPPED after close, or the permanent refusal
     */
    public LinkOutcome run() {
        loops = EventLoops.create("ferry-agent", config.eventLoopThreads());
        controlLoops = EventLoops.nio("ferry-agent-control", 1);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-agent-nodes");
            t.setDaemon(true);
            return t;
        });
        UpstreamTlsSessions upstreamTls = config.upstreamTls() == null ? null : new UpstreamTlsSessions(
                config.upstreamTls(), config.upstream().getHostString(), config.upstream().getPort());
        ActiveListeners active = new ActiveListeners(loops, config.upstream(), Duration.ofSeconds(30), upstreamTls);
        UpstreamDialer dialer = new UpstreamDialer(loops, controlLoops, config.upstream(), upstreamTls, sessions);
        NodeLink.Connector connector = (node, channel, label, onLive) -> {
            agentMeters.attempt();
            java.util.concurrent.atomic.AtomicBoolean welcomed = new java.util.concurrent.atomic.AtomicBoolean();
            AgentLinkClient client = new AgentLinkClient(config.token(), dialer, active, nodeTls(node).trust(), w -> {
                if (!welcomed.getAndSet(true)) {
                    agentMeters.welcomed();
                }
                welcome = w;
                onLive.run();
            }, loops.group(), label, WELCOME_TIMEOUT, this::listed);
            linkClients.add(client);
            CompletableFuture<LinkOutcome> ended = client.connect(channel);
            ended.whenComplete((outcome, error) -> {
                linkClients.remove(client);
                if (welcomed.get()) {
                    agentMeters.ended();
                }
            });
            return ended;
        };
        links = new NodeLinks(discovery::label, address -> {
            ManagedChannel channel = buildChannel(address, nodeTls(address).context());
            channels.add(channel);
            channels.removeIf(ManagedChannel::isTerminated);
            return channel;
        }, connector, () -> new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random), timer, live::countDown);
        try {
            log.info("connecting to relay {} ({}) for upstream FTP server {}{}", discovery.relay(),
                    config.insecure() ? "PLAINTEXT" : "TLS, pin " + config.pin(), config.upstream(),
                    config.upstreamTls() == null ? "" : config.upstreamTls().describeTrust());
            timer.execute(this::refresh);
            CompletableFuture<LinkOutcome> ended = links.refusedEverywhere().applyToEither(stoppedOutcome, o -> o);
            LinkOutcome outcome = ended.get();
            if (outcome.permanent()) {
                log.error("{}", outcome.detail());
            }
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LinkOutcome(LinkOutcome.Kind.STOPPED, "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            links.stopAll();
            timer.shutdownNow();
            shutdown();
        }
    }

    /**
     * The pin check of each node's links, its own: a node with the wrong certificate must not make a
     * later failure of another node look like a wrong certificate too. Both null with {@code --insecure}.
     */
    private record NodeTls(PinnedTrustManager trust, SslContext context) {
    }

    private final java.util.Map<InetSocketAddress, NodeTls> nodeTls = new java.util.concurrent.ConcurrentHashMap<>();

    private NodeTls nodeTls(InetSocketAddress node) {
        return nodeTls.computeIfAbsent(node, n -> {
            if (config.insecure()) {
                return new NodeTls(null, null);
            }
            PinnedTrustManager trust = new PinnedTrustManager(config.pin());
            return new NodeTls(trust, clientTls(trust));
        });
    }

    /** Resolves the relay name and makes the links match; again after the refresh (sooner while it fails). */
    private void refresh() {
        if (closing) {
            return;
        }
        Duration next = discovery.refresh();
        try {
            Set<InetSocketAddress> nodes = discovery.nodes();
            if (!nodes.equals(lastNodes)) {
                if (nodes.size() > 1 || lastNodes != null) {
                    log.info("relay {} has {} node{}: {}", discovery.relay(), nodes.size(), nodes.size() == 1 ? "" : "s",
                            nodes.stream().map(n -> n.getAddress().getHostAddress()).toList());
                }
                lastNodes = nodes;
            }
            resolveBackoff.reset();
            resolved = nodes;
            applyNodes();
        } catch (UnknownHostException e) {
            if (links.nodes().isEmpty()) {
                next = resolveBackoff.next();
                log.warn("cannot link to relay {}: unknown host {}; trying again in {} ms", discovery.relay(),
                        discovery.host(), next.toMillis());
            } else {
                log.warn("cannot resolve relay {} again ({}); keeping the links to {}", discovery.relay(),
                        e.getMessage(), links.nodes());
            }
        } catch (RuntimeException e) {
            log.error("cannot resolve relay {}: {}", discovery.relay(), e.toString());
        }
        if (discovery.isLiteral() && lastNodes != null) {
            return; // an address never changes
        }
        try {
            timer.schedule(this::refresh, next.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    /** A relay's node list (WatchNodes): its serving nodes are linked to as well as the name's addresses. */
    private void listed(List<InetSocketAddress> nodes) {
        Set<InetSocketAddress> next = Set.copyOf(nodes);
        if (!next.equals(advertised)) {
            log.info("the relay lists {} serving node{}: {}", next.size(), next.size() == 1 ? "" : "s",
                    nodes.stream().map(n -> n.getAddress().getHostAddress() + ":" + n.getPort()).toList());
            advertised = next;
            try {
                timer.execute(this::applyNodes);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
            }
        }
    }

    /** Links to every node the name resolves to and every node a relay lists; closes the others. */
    private void applyNodes() {
        if (closing) {
            return;
        }
        Set<InetSocketAddress> all = new java.util.LinkedHashSet<>(resolved);
        all.addAll(advertised);
        if (!all.isEmpty()) {
            links.update(all);
        }
    }

    /** Relay nodes linked to now. */
    public int liveLinks() {
        NodeLinks l = links;
        return l == null ? 0 : l.liveCount();
    }

    /** Waits until the relay has welcomed this agent once. */
    public boolean awaitLive(Duration timeout) throws InterruptedException {
        return live.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The relay's last welcome (tunnel name, public address, FTP port), once a node has welcomed this agent. */
    public java.util.Optional<dev.ferry.proto.v1.Welcome> welcome() {
        return java.util.Optional.ofNullable(welcome);
    }

    private ManagedChannel buildChannel(InetSocketAddress node, SslContext tls) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(node)
                .eventLoopGroup(loops.group())
                .channelType(loops.socketChannelType())
                .directExecutor()
                .keepAliveTime(LinkKeepalive.INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(LinkKeepalive.AGENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(dev.ferry.link.LinkLimits.MAX_MESSAGE_BYTES)
                // Streams start small and grow to --link-window within the budget (as on the relay: uploads).
                .flowControlWindow(windows.minWindow())
                .disableRetry();
        if (tls == null) {
            InternalNettyChannelBuilder.setProtocolNegotiatorFactory(builder,
                    BudgetedNegotiator.clientFactory(InternalProtocolNegotiators::plaintext, 80, windows));
        } else {
            InternalNettyChannelBuilder.setProtocolNegotiatorFactory(builder,
                    BudgetedNegotiator.clientFactory(() -> InternalProtocolNegotiators.tls(tls, null, null), 443, windows));
            builder.overrideAuthority(LinkTls.RELAY_CERT_NAME);
        }
        return builder.build();
    }

    private static SslContext clientTls(PinnedTrustManager trust) {
        try {
            return GrpcSslContexts.configure(io.netty.handler.ssl.SslContextBuilder.forClient().trustManager(trust),
                    OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private void shutdown() {
        // Gently first, so the Control call's half-close reaches the relay (it logs a goodbye, not a lost link).
        channels.forEach(ManagedChannel::shutdown);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            for (ManagedChannel c : channels) {
                c.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            channels.forEach(ManagedChannel::shutdownNow);
            for (ManagedChannel c : channels) {
                c.awaitTermination(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (loops != null) {
            loops.shutdown(Duration.ofSeconds(3));
        }
        if (controlLoops != null) {
            controlLoops.shutdown(Duration.ofSeconds(3));
        }
    }

    /**
     * Drains the agent (SIGTERM): tells the relay, which starts no new session for the tunnel and
     * ends each running one with 421 once its transfer is done; new streams for sessions are refused
     * here too. Completes when no session is left or {@code timeout} passed; {@link #close()} then
     * cuts what is left. One log line at the start, one at the end.
     */
    public CompletableFuture<Void> drain(String cause, Duration timeout) {
        long start = System.nanoTime();
        setDraining(true); // /readyz answers 503 from now on
        int open = sessions.count();
        CompletableFuture<Void> none = sessions.drain();
        long toldNodes = linkClients.stream().filter(c -> c.announceDraining("agent shutting down (" + cause + ")")).count();
        boolean told = toldNodes > 0;
        log.warn("draining ({}): no new FTP sessions{}; {} open; the relay ends idle ones with 421 and the others "
                + "once their transfer is done; waiting up to {} s (signal again to stop at once)", cause,
                told ? " (the relay was told)" : " (no link to the relay is up)", plural(open), timeout.toSeconds());
        return none.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).thenRun(() -> {
            int cut = sessions.count();
            log.warn("drain ended after {} s: {} ended, {} cut{}", String.format("%.1f", (System.nanoTime() - start) / 1e9),
                    plural(Math.max(0, open - cut)), cut, cut == 0 ? "" : " (their transfers are reset, never a 226)");
        });
    }

    private static String plural(int n) {
        return n + " FTP session" + (n == 1 ? "" : "s");
    }

    /** Stops the agent: the link closes and {@link #run()} returns. */
    @Override
    public void close() {
        closing = true;
        stoppedOutcome.complete(new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped"));
    }
}
