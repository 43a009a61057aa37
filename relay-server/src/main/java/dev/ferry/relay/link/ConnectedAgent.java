package dev.ferry.relay.link;

import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.relay.tunnel.Tunnel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.util.Optional;

/** One authenticated agent: its tunnel and the sending side of its Control call. */
public final class ConnectedAgent {
    private final Tunnel tunnel;
    private final StreamObserver<RelayMessage> control;
    private final SocketAddress remote;
    private final EventLoop loop;
    private boolean closed;
    private volatile boolean draining;

    /** @param loop the event loop of the agent's HTTP/2 connection, or null if unknown */
    public ConnectedAgent(Tunnel tunnel, StreamObserver<RelayMessage> control, SocketAddress remote, EventLoop loop) {
        this.tunnel = tunnel;
        this.control = control;
        this.remote = remote;
        this.loop = loop;
    }

    /**
     * The event loop of the agent's connection: sockets whose bytes travel on it are served on it
     * too, so a byte goes from socket to stream without a thread hop.
     */
    public Optional<EventLoop> loop() {
        return Optional.ofNullable(loop);
    }

    public Tunnel tunnel() {
        return tunnel;
    }

    public SocketAddress remote() {
        return remote;
    }

    /** Sends a message on the Control call; false if the call is already over. */
    public synchronized boolean send(RelayMessage message) {
        if (closed) {
            return false;
        }
        try {
            control.onNext(message);
            return true;
        } catch (RuntimeException e) {
            closed = true;
            return false;
        }
    }

    /** The agent said it is shutting down gracefully: no new sessions go to it. */
    public boolean draining() {
        return draining;
    }

    void markDraining() {
        draining = true;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Ends the Control call with {@code status}; the agent sees it and decides whether to retry. */
    public synchronized void close(Status status) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (status.isOk()) {
                control.onCompleted();
            } else {
                control.onError(status.asRuntimeException());
            }
        } catch (RuntimeException e) {
            // the call is already gone
        }
    }

    /** Marks the call over without sending anything (the agent went away). */
    synchronized void markClosed() {
        closed = true;
    }
}
