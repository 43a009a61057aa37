package dev.ferry.relay.frontend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The relay's data connection to an active-mode client, from the PORT/EPRT that prepared it until
 * the relay has sent its last byte on it. The server's final reply to the transfer waits for that
 * ({@link #finalReplyDue}): the server sends its 226 after its own data connection closed, but the
 * 226 reaches the relay apart from the data, often before the relay has even connected to the
 * client, and a client that reads the 226 while it waits for the connection stops listening (curl)
 * or reports success without the data. If the relay cannot connect, the client gets a 425 instead.
 */
final class ActiveTransfer {
    static final String DIAL_FAILED = "425 Can't open data connection: the relay could not connect to your data port.\r\n";

    private final ScheduledExecutorService loop;
    private final Duration grace;
    /** The server's data connection reached the relay, which dials the client. */
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    /** The relay's side is done: null, or the reply that replaces the server's (the dial failed). */
    private final CompletableFuture<String> done = new CompletableFuture<>();

    /**
     * @param grace how long a 2xx that comes before the server's data connection reached the relay
     *     waits for it (the two travel apart through the agent)
     */
    ActiveTransfer(ScheduledExecutorService loop, Duration grace) {
        this.loop = loop;
        this.grace = grace;
    }

    /** The server connected through the agent; the relay dials the client now. */
    void dialing() {
        started.complete(null);
    }

    /** The relay is connected to the client: done once it has shut its output down, or the connection closed. */
    void connected(Channel data) {
        data.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt instanceof ChannelOutputShutdownEvent) {
                    done.complete(null);
                }
                super.userEventTriggered(ctx, evt);
            }
        });
        data.closeFuture().addListener(f -> done.complete(null));
    }

    /** The relay could not connect to the client (or the server's connection never came). */
    void failed() {
        started.complete(null);
        done.complete(DIAL_FAILED);
    }

    /** See {@link dev.ferry.relay.gateway.DataEndpoints#finalReplyDue}. */
    CompletionStage<String> finalReplyDue(int code) {
        if (done.isDone()) {
            return done.getNow(null) == null ? null : done;
        }
        if (started.isDone()) {
            return done;
        }
        if (code >= 300) {
            return null; // the server gave up before it connected: no data will come
        }
        CompletableFuture<String> due = new CompletableFuture<>();
        ScheduledFuture<?> timer = loop.schedule(() -> due.complete(null), grace.toMillis(), TimeUnit.MILLISECONDS);
        started.thenCompose(s -> done).thenAccept(replacement -> {
            timer.cancel(false);
            due.complete(replacement);
        });
        return due;
    }
}
