package dev.ferry.relay.frontend;

import com.google.protobuf.ByteString;
import dev.ferry.link.pipe.SocketPipe;
import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.relay.link.ConnectedAgent;
import dev.ferry.relay.link.PendingStreams;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A passive data stream opened as soon as its lease is made: the agent connects to the FTP server's
 * passive port and attaches its Pipe while the client is still connecting to the relay's port, so
 * neither waits for the other. The stream ends in exactly one of: joined to the client's
 * connection; failed (the agent could not reach the server's port, or its side ended first: the
 * client's connection, if it comes, is reset); unused (the lease ended without a client: the
 * agent's attach is refused, or its attached call cancelled, and it closes the server's
 * connection). Every method runs on the session's event loop.
 */
final class EarlyDataStream {
    private static final Logger log = LoggerFactory.getLogger(EarlyDataStream.class);

    private final PendingStreams pending;
    private final ConnectedAgent agent;
    private final EventLoop loop;
    private final ByteString streamId;
    private final String label;
    private final CompletableFuture<Channel> clientSide = new CompletableFuture<>();
    private SocketChannel joined;
    private boolean failed;
    /** Told why the server's side failed (the cause of the 425/426 that follows); on the loop. */
    private java.util.function.Consumer<String> failureListener = reason -> { };

    EarlyDataStream(PendingStreams pending, ConnectedAgent agent, EventLoop loop, ByteString streamId, String label) {
        this.pending = pending;
        this.agent = agent;
        this.loop = loop;
        this.streamId = streamId;
        this.label = label;
    }

    /** Tells {@code listener} why the server's side failed, if it does. */
    void onFailure(java.util.function.Consumer<String> listener) {
        this.failureListener = listener;
    }

    /** Asks the agent for the server's side now ({@code openStream} names this stream). */
    void open(RelayMessage openStream) {
        if (clientSide.isDone()) {
            return; // the lease ended while it was made
        }
        pending.registerEarly(streamId, loop, label, clientSide, reason -> loop.execute(() -> failed(reason)));
        if (!agent.send(openStream)) {
            pending.claim(streamId);
            failed("the agent's link is closed");
        }
    }

    /** The client connected to the leased port: its connection joins the stream. */
    void join(SocketChannel data) {
        if (failed) {
            log.debug("{}: the server's side already failed; resetting the client's data connection", label);
            SocketPipe.resetChannel(data);
            return;
        }
        joined = data;
        data.closeFuture().addListener(f -> pending.claim(streamId));
        clientSide.complete(data);
    }

    /** The lease ended without a client: the agent lets go of the server's connection. */
    void unused() {
        if (joined == null && clientSide.completeExceptionally(
                new IllegalStateException("no data connection from the client before the lease ended"))) {
            pending.claim(streamId);
            log.debug("{}: lease ended without a client connection; closing the server's side", label);
        }
    }

    private void failed(String reason) {
        if (failed) {
            return;
        }
        failed = true;
        if (!clientSide.isCompletedExceptionally()) {
            failureListener.accept(reason); // not the end of a stream the lease let go (unused)
        }
        if (joined != null) {
            log.warn("{}: data connection to the FTP server failed: {}", label, reason);
            SocketPipe.resetChannel(joined);
        } else if (!clientSide.isCompletedExceptionally()) {
            log.debug("{}: the server's side failed before the client connected: {}", label, reason);
        }
    }
}
