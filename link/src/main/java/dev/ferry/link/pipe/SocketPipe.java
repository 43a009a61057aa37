package dev.ferry.link.pipe;

import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins one TCP connection (the Netty channel this handler is the last handler of) to one gRPC
 * Pipe call, in both directions, with backpressure end to end.
 *
 * <p>Socket to call: reads are manual ({@code autoRead=false}); the next read is issued only
 * while the call is ready. Call to socket: one message is requested at a time, and the next only
 * while the channel is writable. A FIN from either side travels as a {@link PipeFrame.Fin} frame and
 * becomes a FIN on the other; a reset or failure travels as an {@link PipeFrame.Abort} frame and becomes an
 * RST. Every method runs on the channel's event loop; calls from other threads hop onto it.
 */
public final class SocketPipe extends ChannelInboundHandlerAdapter implements StreamObserver<PipeFrame> {
    private static final Logger log = LoggerFactory.getLogger(SocketPipe.class);
    /** Socket reads (and so Data frames) grow up to this size while a transfer keeps them full. */
    public static final int MAX_READ = 256 * 1024;
    private static final int MIN_READ = 512;
    private static final int INITIAL_READ = 16 * 1024;

    private final Channel channel;
    private final CallStreamObserver<PipeFrame> outbound;
    private final String label;

    private ChannelHandlerContext ctx;
    private boolean started;
    private boolean readPending;
    private boolean requestPending;
    private boolean finSent;
    private boolean finReceived;
    private boolean done;

    /**
     * @param outbound the call's sending side; the caller has turned automatic inbound flow control
     *     off and routes the call's on-ready callback to {@link #onOutboundReady()} and its inbound
     *     messages to this observer
     * @param label names the connection in log lines (session id, tunnel, kind)
     */
    public SocketPipe(Channel channel, CallStreamObserver<PipeFrame> outbound, String label) {
        this.channel = channel;
        this.outbound = outbound;
        this.label = label;
    }

    /** Adds this pipe as the channel's last handler and starts moving bytes both ways. */
    public void start() {
        runOnLoop(() -> {
            if (!channel.isActive()) {
                channel.pipeline().addLast(this);
                abort("connection closed before the pipe started");
                return;
            }
            channel.config().setAutoRead(false);
            channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            channel.config().setRecvByteBufAllocator(
                    new AdaptiveRecvByteBufAllocator(MIN_READ, INITIAL_READ, MAX_READ));
            channel.pipeline().addLast(this);
            started = true;
            outbound.request(1);
            readIfReady();
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- socket -> call ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || finSent) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof PipeFrame.Urgent urgent) {
            outbound.onNext(urgent); // a handler before this one found urgent data at this point
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (buf.isReadable()) {
                // gRPC serialises the message inside onNext, so the frame may borrow the buffer
                // until onNext returns (retries, which would keep it, are off on the agent's channel).
                outbound.onNext(new PipeFrame.Data(buf));
            }
        } finally {
            buf.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readIfReady();
    }

    /** The call can take more messages: resume reading the socket if we stopped. */
    public void onOutboundReady() {
        runOnLoop(() -> {
            if (readPending) {
                readIfReady();
            }
        });
    }

    private void readIfReady() {
        if (done || finSent || !started) {
            return;
        }
        if (outbound.isReady()) {
            readPending = false;
            channel.read();
        } else {
            readPending = true;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (!done && !finSent) {
                finSent = true;
                outbound.onNext(PipeFrame.FIN);
                finishIfBothClosed();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            abort("connection closed without FIN");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done) {
            log.debug("{}: socket failed: {}", label, cause.toString());
            abort(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        }
    }

    // ---- call -> socket ----

    @Override
    public void onNext(PipeFrame frame) {
        runOnLoop(() -> receive(frame));
    }

    private void receive(PipeFrame frame) {
        if (done) {
            if (frame instanceof PipeFrame.Data data) {
                data.release();
            }
            return;
        }
        if (frame instanceof PipeFrame.Data data) {
            if (data.owner() == null) {
                ctx.writeAndFlush(data.bytes(), ctx.voidPromise());
            } else {
                ctx.writeAndFlush(data.bytes()).addListener(f -> data.closeOwner());
            }
            requestIfWritable();
        } else if (frame instanceof PipeFrame.Fin) {
                finReceived = true;
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess() && channel instanceof DuplexChannel duplex) {
                        // TLS ends with close_notify before the FIN (GnuTLS clients fail a transfer without it).
                        closeTlsOutbound().addListener(c -> duplex.shutdownOutput().addListener(s -> finishIfBothClosed()));
                    } else {
                        finishIfBothClosed();
                    }
                });
                outbound.request(1);
        } else if (frame instanceof PipeFrame.Urgent urgent) {
            sendUrgent(urgent.bytes().toByteArray());
        } else if (frame instanceof PipeFrame.Abort abort) {
            reset("peer aborted: " + abort.reason());
        } else {
            reset("unexpected frame " + frame);
        }
    }

    /**
     * Urgent data goes out after everything written before it: the first byte urgent, the rest at
     * once after it; the next frame is asked for only then, so nothing later overtakes it. A channel
     * that cannot send urgent data gets all the bytes as ordinary data.
     */
    private void sendUrgent(byte[] bytes) {
        if (!(channel instanceof UrgentChannel urgentChannel) || bytes.length == 0) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes), ctx.voidPromise());
            requestIfWritable();
            return;
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess() && !done) {
                urgentChannel.sendUrgent(bytes[0]).addListener(sent -> {
                    if (!sent.isSuccess()) {
                        exceptionCaught(ctx, sent.cause());
                        return;
                    }
                    if (bytes.length > 1) {
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes, 1, bytes.length - 1), ctx.voidPromise());
                    }
                    requestIfWritable();
                });
            }
        });
    }

    private void requestIfWritable() {
        if (channel.isWritable()) {
            outbound.request(1);
        } else {
            requestPending = true;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable() && requestPending && !done) {
            requestPending = false;
            outbound.request(1);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void onError(Throwable t) {
        runOnLoop(() -> reset("call failed: " + t.getMessage()));
    }

    @Override
    public void onCompleted() {
        runOnLoop(() -> {
            if (!done && !(finReceived && finSent)) {
                if (finReceived) {
                    // Peer finished sending and completed; we may still be sending. Nothing more
                    // can travel our way, so the connection is over once our FIN goes out too.
                    return;
                }
                reset("call completed without FIN");
            }
        });
    }

    // ---- endings ----

    private void finishIfBothClosed() {
        if (done || !(finSent && finReceived)) {
            return;
        }
        done = true;
        outbound.onCompleted();
        channel.close();
    }

    /** The socket failed: tell the peer to reset its side, and close ours. */
    private void abort(String reason) {
        if (done) {
            return;
        }
        done = true;
        try {
            outbound.onNext(new PipeFrame.Abort(reason));
            outbound.onCompleted();
        } catch (RuntimeException e) {
            log.debug("{}: could not send abort: {}", label, e.toString());
        }
        // A failed connection ends without close_notify too: the peer must not take it for complete data.
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            channel.pipeline().remove(tls);
        }
        channel.close();
    }

    /** The peer failed: reset our socket (RST, not FIN) so the client sees the transfer fail. */
    private void reset(String reason) {
        if (done) {
            return;
        }
        done = true;
        log.debug("{}: resetting connection: {}", label, reason);
        try {
            outbound.onCompleted();
        } catch (RuntimeException e) {
            log.trace("{}: call already closed", label);
        }
        resetChannel(channel);
    }

    private io.netty.channel.ChannelFuture closeTlsOutbound() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        return tls == null ? channel.newSucceededFuture() : tls.closeOutbound();
    }

    /**
     * Closes a channel with an RST instead of a FIN; TLS on it is dropped first, so no close_notify
     * makes a cut transfer look complete.
     */
    public static void resetChannel(Channel channel) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            channel.pipeline().remove(tls);
        }
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    private void runOnLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }
}
