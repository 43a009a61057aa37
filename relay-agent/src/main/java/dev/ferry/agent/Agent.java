package dev.ferry.agent;

import dev.ferry.agent.link.AgentLinkClient;
import dev.ferry.agent.link.Backoff;
import dev.ferry.agent.link.LinkOutcome;
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
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: keeps the link to the relay up, reconnecting with jittered exponential backoff,
 * until it is stopped or the relay refuses it for good.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** From dialling to the relay's welcome: above the relay's 10 s TLS handshake and hello limits. */
    static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(15);

    private final AgentConfig config;
    /** Stream windows of every link this agent opens, against half its direct memory limit (uploads). */
    private final WindowBudget windows;
    private final Backoff backoff;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch live = new CountDownLatch(1);
    private volatile CompletableFuture<LinkOutcome> current;
    /** The relay's last welcome: the tunnel's name, public address and FTP port. */
    private volatile dev.ferry.proto.v1.Welcome welcome;
    private volatile boolean closing;
    private EventLoops loops;
    private EventLoops controlLoops;
    /** The current link's channel and older ones whose transfers are still finishing. */
    private final java.util.Queue<ManagedChannel> channels = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** What {@code /readyz} answers; see {@link AgentChecks}. */
    private final Readiness readiness = new Readiness();
    /** Set while draining: {@code /readyz} answers 503. */
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    /** Whether the relay has welcomed the current link (false between links). */
    private volatile boolean linked;

    /** The agent's one meter registry (its admin listener's {@code /metrics} serves it). */
    private final PrometheusMeterRegistry meters;
    private final AgentMeters agentMeters;

    public Agent(AgentConfig config, RandomGenerator random) {
        this(config, random, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** @param meters where the agent's meters go */
    public Agent(AgentConfig config, RandomGenerator random, PrometheusMeterRegistry meters) {
        this.meters = meters;
        String version = Agent.class.getPackage().getImplementationVersion();
        this.agentMeters = new AgentMeters(meters, version == null ? "dev" : version);
        this.config = config;
        this.windows = WindowBudget.forLink(MemoryBudget.forThisProcess(), config.linkWindow());
        this.backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random);
        JvmMeters.bindTo(meters);
        AgentChecks.register(readiness, config.relayHost() + ":" + config.relayPort(), () -> linked, config.upstream(),
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

    /** Whether the relay has welcomed the current link. */
    public boolean isLinked() {
        return linked;
    }

    /**
     * Runs until {@link #close()} or a permanent refusal.
     *
     * @return the outcome that ended it: STOPPED after close, or the permanent refusal
     */
    public LinkOutcome run() {
        loops = EventLoops.create("ferry-agent", config.eventLoopThreads());
        controlLoops = EventLoops.nio("ferry-agent-control", 1);
        PinnedTrustManager trust = config.insecure() ? null : new PinnedTrustManager(config.pin());
        UpstreamTlsSessions upstreamTls = config.upstreamTls() == null ? null : new UpstreamTlsSessions(
                config.upstreamTls(), config.upstream().getHostString(), config.upstream().getPort());
        ActiveListeners active = new ActiveListeners(loops, config.upstream(), Duration.ofSeconds(30), upstreamTls);
        String relay = config.relayHost() + ":" + config.relayPort();
        AgentLinkClient client = new AgentLinkClient(config.token(),
                new UpstreamDialer(loops, controlLoops, config.upstream(), upstreamTls), active, trust, w -> {
                    agentMeters.welcomed();
                    welcome = w;
                    backoff.reset();
                    linked = true;
                    live.countDown();
                }, loops.group(), relay, WELCOME_TIMEOUT);
        try {
            log.info("connecting to relay {} ({}) for upstream FTP server {}{}", relay,
                    config.insecure() ? "PLAINTEXT" : "TLS, pin " + config.pin(), config.upstream(),
                    config.upstreamTls() == null ? "" : config.upstreamTls().describeTrust());
            while (!closing) {
                LinkOutcome outcome = attempt(client, trust);
                if (closing || outcome.kind() == LinkOutcome.Kind.STOPPED) {
                    return new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped");
                }
                if (outcome.permanent()) {
                    log.error("{}", outcome.detail());
                    return outcome;
                }
                Duration delay = backoff.next();
                log.warn("{}; reconnecting in {} ms", outcome.detail(), delay.toMillis());
                if (stopped.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    return new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped");
                }
            }
            return new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LinkOutcome(LinkOutcome.Kind.STOPPED, "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            shutdown();
        }
    }

    /**
     * One link on a channel of its own. A fresh channel per attempt dials at once: reusing one
     * channel stacked gRPC's own reconnect backoff (up to 2 min) on ours, and its calls failed at
     * once while it waited. When the link ends the channel is shut down gently: transfers still
     * running on it finish, nothing new starts there.
     */
    private LinkOutcome attempt(AgentLinkClient client, PinnedTrustManager trust)
            throws InterruptedException, ExecutionException {
        ManagedChannel channel = buildChannel(trust);
        agentMeters.attempt();
        channels.add(channel);
        channels.removeIf(ManagedChannel::isTerminated);
        try {
            current = client.connect(channel);
            if (closing) {
                current.complete(new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped"));
            }
            return current.get();
        } finally {
            agentMeters.ended();
            linked = false;
            channel.shutdown();
        }
    }

    /** Waits until the relay has welcomed this agent once. */
    public boolean awaitLive(Duration timeout) throws InterruptedException {
        return live.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The relay's last welcome (tunnel name, public address, FTP port), once it has welcomed this agent. */
    public java.util.Optional<dev.ferry.proto.v1.Welcome> welcome() {
        return java.util.Optional.ofNullable(welcome);
    }

    private ManagedChannel buildChannel(PinnedTrustManager trust) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(config.relayHost(), config.relayPort())
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
        if (trust == null) {
            InternalNettyChannelBuilder.setProtocolNegotiatorFactory(builder,
                    BudgetedNegotiator.clientFactory(InternalProtocolNegotiators::plaintext, 80, windows));
        } else {
            SslContext tls = clientTls(trust);
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

    /** Stops the agent: the link closes and {@link #run()} returns. */
    @Override
    public void close() {
        closing = true;
        stopped.countDown();
        CompletableFuture<LinkOutcome> c = current;
        if (c != null) {
            c.complete(new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped"));
        }
    }
}
