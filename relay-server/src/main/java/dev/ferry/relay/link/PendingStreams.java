package dev.ferry.relay.link;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Relay-side connections waiting for the agent to attach a Pipe call: each was announced to the
 * agent with OpenStream and ends in exactly one of attach, StreamFailed, or timeout.
 */
public final class PendingStreams {
    /** A connection waiting for its Pipe. */
    public record Pending(Channel channel, String label, Consumer<String> onFailure, ScheduledFuture<?> timeout) {
    }

    private final Map<ByteString, Pending> pending = new ConcurrentHashMap<>();
    private final Duration timeout;

    public PendingStreams(Duration timeout) {
        this.timeout = timeout;
    }

    /** Waits for {@code id}; if nothing attaches in time, {@code onFailure} runs on the channel's loop. */
    public void register(ByteString id, Channel channel, String label, Consumer<String> onFailure) {
        ScheduledFuture<?> timer = channel.eventLoop().schedule(
                () -> fail(id, "the agent did not connect to the FTP server within " + timeout.toSeconds() + " s"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        pending.put(id, new Pending(channel, label, onFailure, timer));
        channel.closeFuture().addListener(f -> {
            Pending p = pending.remove(id);
            if (p != null) {
                p.timeout().cancel(false);
            }
        });
    }

    /** Claims the connection waiting for {@code id}, or null if none is (unknown, failed or timed out). */
    public Pending claim(ByteString id) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.timeout().cancel(false);
        }
        return p;
    }

    /** The agent could not open the stream: the waiting connection gets its failure answer. */
    public void fail(ByteString id, String reason) {
        Pending p = claim(id);
        if (p != null) {
            p.channel().eventLoop().execute(() -> p.onFailure().accept(reason));
        }
    }

    public int size() {
        return pending.size();
    }
}
