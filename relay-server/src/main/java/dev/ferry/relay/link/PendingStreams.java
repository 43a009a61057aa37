package dev.ferry.relay.link;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Relay-side connections waiting for the agent to attach a Pipe call: each was announced to the
 * agent (OpenStream, or StartListen for active mode) and ends in exactly one of attach,
 * failure, or timeout. The relay end of the connection is either already there (a client's
 * control or passive data connection), made when the Pipe attaches (active mode: the relay
 * dials the client then), or still to come (a passive data stream opened early: the client
 * connects to its leased port while the agent reaches the server's).
 */
public final class PendingStreams {
    /** A connection waiting for its Pipe. */
    public record Pending(EventLoop loop, String label, Supplier<CompletionStage<Channel>> relaySide,
            Consumer<String> onFailure, ScheduledFuture<?> timeout, long registeredNanos) {
    }

    private final Map<ByteString, Pending> pending = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Consumer<Duration> attached;

    public PendingStreams(Duration timeout) {
        this(timeout, latency -> { });
    }

    /** @param attached told how long each stream took from being asked for to its Pipe attaching */
    public PendingStreams(Duration timeout, Consumer<Duration> attached) {
        this.timeout = timeout;
        this.attached = attached;
    }

    /** Waits for {@code id} for an existing connection; if nothing attaches in time, {@code onFailure} runs. */
    public void register(ByteString id, Channel channel, String label, Consumer<String> onFailure) {
        waitFor(id, channel.eventLoop(), label, () -> CompletableFuture.completedFuture(channel), onFailure, timeout);
        channel.closeFuture().addListener(f -> claim(id));
    }

    /**
     * Waits for {@code id}; when it attaches, {@code relaySide} makes the relay's end of it (e.g. dials
     * the client). {@code onFailure} runs on {@code loop} if nothing attaches within {@code wait}.
     */
    public void register(ByteString id, EventLoop loop, String label, Supplier<ChannelFuture> relaySide,
            Consumer<String> onFailure, Duration wait) {
        waitFor(id, loop, label, () -> {
            CompletableFuture<Channel> made = new CompletableFuture<>();
            relaySide.get().addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    made.complete(f.channel());
                } else {
                    made.completeExceptionally(f.cause());
                }
            });
            return made;
        }, onFailure, wait);
    }

    /**
     * Waits for {@code id} for a connection that may come later: when the Pipe attaches, the call is
     * joined to {@code relaySide}'s connection once it completes; if it fails, the call is cancelled.
     * {@code onFailure} runs on {@code loop} if nothing attaches within the stream open timeout.
     */
    public void registerEarly(ByteString id, EventLoop loop, String label, CompletionStage<Channel> relaySide,
            Consumer<String> onFailure) {
        waitFor(id, loop, label, () -> relaySide, onFailure, timeout);
    }

    private void waitFor(ByteString id, EventLoop loop, String label, Supplier<CompletionStage<Channel>> relaySide,
            Consumer<String> onFailure, Duration wait) {
        ScheduledFuture<?> timer = loop.schedule(
                () -> fail(id, "no connection through the agent within " + wait.toSeconds() + " s"),
                wait.toMillis(), TimeUnit.MILLISECONDS);
        pending.put(id, new Pending(loop, label, relaySide, onFailure, timer, System.nanoTime()));
    }

    /** Claims the connection waiting for {@code id}, or null if none is (unknown, failed or timed out). */
    public Pending claim(ByteString id) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.timeout().cancel(false);
        }
        return p;
    }

    /** As {@link #claim}, for the Pipe call that attaches to {@code id}: its open latency is reported. */
    public Pending claimAttached(ByteString id) {
        Pending p = claim(id);
        if (p != null) {
            attached.accept(Duration.ofNanos(System.nanoTime() - p.registeredNanos()));
        }
        return p;
    }

    /** The agent could not open the stream: the waiting connection gets its failure answer. */
    public void fail(ByteString id, String reason) {
        Pending p = claim(id);
        if (p != null) {
            p.loop().execute(() -> p.onFailure().accept(reason));
        }
    }

    public int size() {
        return pending.size();
    }
}
