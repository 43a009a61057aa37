package dev.ferry.agent;

import dev.ferry.agent.link.AgentLinkClient;
import dev.ferry.agent.link.Backoff;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.agent.upstream.ActiveListeners;
import dev.ferry.agent.upstream.UpstreamDialer;
import dev.ferry.agent.upstream.UpstreamTlsSessions;
import dev.ferry.link.tls.LinkTls;
import dev.ferry.link.tls.PinnedTrustManager;
import dev.ferry.link.transport.EventLoops;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
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

    private final AgentConfig config;
    private final Backoff backoff;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch live = new CountDownLatch(1);
    private volatile CompletableFuture<LinkOutcome> current;
    private volatile boolean closing;
    private EventLoops loops;
    private ManagedChannel channel;

    public Agent(AgentConfig config, RandomGenerator random) {
        this.config = config;
        this.backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random);
    }

    /**
     * Runs until {@link #close()} or a permanent refusal.
     *
     * @return the outcome that ended it: STOPPED after close, or the permanent refusal
     */
    public LinkOutcome run() {
        loops = EventLoops.create("ferry-agent", config.eventLoopThreads());
        PinnedTrustManager trust = config.insecure() ? null : new PinnedTrustManager(config.pin());
        channel = buildChannel(trust);
        UpstreamTlsSessions upstreamTls = config.upstreamTls() == null ? null : new UpstreamTlsSessions(
                config.upstreamTls(), config.upstream().getHostString(), config.upstream().getPort());
        ActiveListeners active = new ActiveListeners(loops, config.upstream(), Duration.ofSeconds(30), upstreamTls);
        AgentLinkClient client = new AgentLinkClient(channel, config.token(),
                new UpstreamDialer(loops, config.upstream(), upstreamTls), active, trust, () -> {
                    backoff.reset();
                    live.countDown();
                });
        try {
            log.info("connecting to relay {}:{} ({}) for upstream FTP server {}{}", config.relayHost(), config.relayPort(),
                    config.insecure() ? "PLAINTEXT" : "TLS, pin " + config.pin(), config.upstream(),
                    config.upstreamTls() == null ? "" : config.upstreamTls().describeTrust());
            while (!closing) {
                current = client.connect();
                LinkOutcome outcome = current.get();
                if (closing || outcome.kind() == LinkOutcome.Kind.STOPPED) {
                    return new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped");
                }
                if (outcome.permanent()) {
                    log.error("{}", outcome.detail());
                    return outcome;
                }
                Duration delay = backoff.next();
                log.warn("link to relay lost ({}); reconnecting in {} ms", outcome.detail(), delay.toMillis());
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

    /** Waits until the relay has welcomed this agent once. */
    public boolean awaitLive(Duration timeout) throws InterruptedException {
        return live.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ManagedChannel buildChannel(PinnedTrustManager trust) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(config.relayHost(), config.relayPort())
                .eventLoopGroup(loops.group())
                .channelType(loops.socketChannelType())
                .directExecutor()
                .keepAliveTime(20, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(dev.ferry.link.LinkLimits.MAX_MESSAGE_BYTES)
                .flowControlWindow(config.linkWindow().bytes()) // fixed: gRPC's auto-tuning stops at 8 MiB
                .disableRetry();
        if (trust == null) {
            builder.usePlaintext();
        } else {
            builder.sslContext(clientTls(trust)).overrideAuthority(LinkTls.RELAY_CERT_NAME);
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
        if (channel != null) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (loops != null) {
            loops.shutdown(Duration.ofSeconds(3));
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
