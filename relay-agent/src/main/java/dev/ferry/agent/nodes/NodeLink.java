package dev.ferry.agent.nodes;

import dev.ferry.agent.link.Backoff;
import dev.ferry.agent.link.LinkOutcome;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's link to one relay node, kept up until {@link #stop()}: each attempt on a channel of its
 * own, jittered exponential backoff between attempts, reset by each welcome. A fresh channel per
 * attempt dials at once (reusing one stacked gRPC's own reconnect backoff, up to 2 min, on ours); an
 * ended attempt's channel is shut down gently, so transfers still running on it finish.
 */
public final class NodeLink {
    private static final Logger log = LoggerFactory.getLogger(NodeLink.class);

    /** What the owner hears from a link. */
    interface Events {
        /** The node welcomed this link. */
        void live(NodeLink link);

        /**
         * The node refused the agent for good (token, certificate).
         *
         * @return true to give up on every node (they all refused), false to keep trying this one slowly
         */
        boolean refused(NodeLink link, LinkOutcome outcome);
    }

    /** One connection attempt to {@code node} over a given channel, completing when that connection ends. */
    public interface Connector {
        CompletableFuture<LinkOutcome> connect(InetSocketAddress node, ManagedChannel channel, String label,
                Runnable onLive);
    }

    private final InetSocketAddress node;
    private final String label;
    private final Function<InetSocketAddress, ManagedChannel> channels;
    private final Connector connector;
    private final Backoff backoff;
    private final Duration refusedRetry;
    private final ScheduledExecutorService timer;
    private final Events events;
    private volatile boolean stopped;
    private volatile boolean live;
    private volatile LinkOutcome refusal;
    private volatile CompletableFuture<LinkOutcome> current;

    NodeLink(InetSocketAddress node, String label, Function<InetSocketAddress, ManagedChannel> channels,
            Connector connector, Backoff backoff, Duration refusedRetry, ScheduledExecutorService timer, Events events) {
        this.node = node;
        this.label = label;
        this.channels = channels;
        this.connector = connector;
        this.backoff = backoff;
        this.refusedRetry = refusedRetry;
        this.timer = timer;
        this.events = events;
    }

    InetSocketAddress node() {
        return node;
    }

    String label() {
        return label;
    }

    /** Welcomed and not ended since. */
    boolean isLive() {
        return live;
    }

    /** The node's last answer was a refusal for good (cleared by a welcome). */
    LinkOutcome refusal() {
        return refusal;
    }

    void start() {
        timer.execute(this::attempt);
    }

    private void attempt() {
        if (stopped) {
            return;
        }
        ManagedChannel channel;
        CompletableFuture<LinkOutcome> ended;
        try {
            channel = channels.apply(node);
            ended = connector.connect(node, channel, label, () -> {
                synchronized (backoff) {
                    backoff.reset();
                }
                refusal = null;
                live = true;
                events.live(this);
            });
        } catch (RuntimeException e) {
            log.error("cannot link to relay {}: {}", label, e.getMessage());
            retryAfter(new LinkOutcome(LinkOutcome.Kind.LOST, "cannot link to relay " + label + ": " + e.getMessage()));
            return;
        }
        current = ended;
        if (stopped) {
            ended.complete(new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped"));
        }
        ended.whenComplete((outcome, error) -> {
            channel.shutdown();
            live = false;
            ended(outcome != null ? outcome
                    : new LinkOutcome(LinkOutcome.Kind.LOST, "link to relay " + label + " failed: " + error));
        });
    }

    private void ended(LinkOutcome outcome) {
        if (stopped || outcome.kind() == LinkOutcome.Kind.STOPPED) {
            return;
        }
        if (outcome.permanent()) {
            refusal = outcome;
            if (events.refused(this, outcome)) {
                return;
            }
            log.error("{}; other relay nodes still serve; trying relay {} again in {} s", outcome.detail(), label,
                    refusedRetry.toSeconds());
            schedule(refusedRetry);
            return;
        }
        retryAfter(outcome);
    }

    private void retryAfter(LinkOutcome outcome) {
        Duration delay;
        synchronized (backoff) {
            delay = backoff.next();
        }
        log.warn("{}; reconnecting in {} ms", outcome.detail(), delay.toMillis());
        schedule(delay);
    }

    private void schedule(Duration delay) {
        try {
            timer.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the agent is stopping
        }
    }

    /** Ends this link (the Control call half-closes, the relay logs a goodbye) and tries no more. */
    void stop() {
        stopped = true;
        CompletableFuture<LinkOutcome> c = current;
        if (c != null) {
            c.complete(new LinkOutcome(LinkOutcome.Kind.STOPPED, "stopped"));
        }
    }
}
