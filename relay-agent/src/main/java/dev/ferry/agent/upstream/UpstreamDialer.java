package dev.ferry.agent.upstream;

import dev.ferry.agent.drain.OpenSessions;
import dev.ferry.link.transport.EventLoops;
import dev.ferry.proto.v1.AgentLinkGrpc;
import dev.ferry.proto.v1.OpenStream;
import dev.ferry.proto.v1.StreamKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the relay's streams: connects to the upstream FTP server (its configured host, never an
 * address taken from a reply), then opens a Pipe call that attaches to the stream and joins the two.
 */
public final class UpstreamDialer {
    private static final Logger log = LoggerFactory.getLogger(UpstreamDialer.class);
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private static final Duration TLS_UPGRADE_DEADLINE = Duration.ofSeconds(15);

    private final EventLoops loops;
    private final EventLoops controlLoops;
    private final InetSocketAddress upstream;
    private final UpstreamTlsSessions tls;
    private final OpenSessions sessions;

    /**
     * @param loops the fast loops, for data connections (and control connections if {@code controlLoops} is null)
     * @param controlLoops NIO loops for control connections, which can send TCP urgent data (a client's
     *     Synch before ABOR); null to open them on {@code loops}, where urgent data goes as ordinary data
     * @param tls the FTP sessions' TLS toward a server that insists on FTPS, or null for plain FTP
     *     (control connections then go on {@code loops}: urgent data cannot travel beneath TLS)
     */
    public UpstreamDialer(EventLoops loops, EventLoops controlLoops, InetSocketAddress upstream, UpstreamTlsSessions tls) {
        this(loops, controlLoops, upstream, tls, new OpenSessions());
    }

    /** @param sessions lists control connections while open; once it drains, new ones are refused */
    public UpstreamDialer(EventLoops loops, EventLoops controlLoops, InetSocketAddress upstream, UpstreamTlsSessions tls,
            OpenSessions sessions) {
        this.sessions = sessions;
        this.loops = loops;
        this.controlLoops = controlLoops;
        this.upstream = upstream;
        this.tls = tls;
    }

    /** @param onFailure gets a reason the relay can pass on, if the connection cannot be made */
    public void open(OpenStream request, AgentLinkGrpc.AgentLinkStub stub, Consumer<String> onFailure) {
        int port = request.getKind() == StreamKind.STREAM_KIND_DATA ? request.getUpstreamPort() : upstream.getPort();
        if (port < 1 || port > 65535) {
            onFailure.accept("invalid upstream port " + port);
            return;
        }
        boolean control = request.getKind() != StreamKind.STREAM_KIND_DATA;
        if (control && sessions.draining()) {
            onFailure.accept("the agent is shutting down");
            return;
        }
        InetSocketAddress target = new InetSocketAddress(upstream.getAddress(), port);
        String label = PipeAttacher.label(request.getKind() == StreamKind.STREAM_KIND_DATA ? "data" : "control",
                request.getStreamId());
        boolean urgentCapable = request.getKind() != StreamKind.STREAM_KIND_DATA && controlLoops != null && tls == null;
        Bootstrap bootstrap = urgentCapable
                ? new Bootstrap().group(controlLoops.group().next()).channel(UrgentNioSocketChannel.class)
                : new Bootstrap().group(currentLoopOrAny(loops)).channel(loops.socketChannelType());
        ChannelFuture connect = bootstrap
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target);
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                String reason = "cannot connect to the FTP server at " + target.getAddress().getHostAddress() + ":"
                        + port + ": " + f.cause().getMessage();
                log.warn("{}: {}", label, reason);
                onFailure.accept(reason);
                return;
            }
            Channel socket = f.channel();
            socket.pipeline().remove(ChannelInboundHandlerAdapter.class);
            if (control && !sessions.opened(socket)) {
                socket.close(); // the drain began while it connected, and waits only for the sessions it knew
                onFailure.accept("the agent is shutting down");
                return;
            }
            if (tls == null) {
                PipeAttacher.attach(socket, request.getStreamId(), stub, label);
            } else if (request.getKind() == StreamKind.STREAM_KIND_DATA) {
                tls.protectData(socket, request.getSessionStreamId(), label);
                PipeAttacher.attach(socket, request.getStreamId(), stub, label);
            } else {
                upgradeThenAttach(socket, request, stub, label, onFailure);
            }
        });
    }

    /** FTPS toward the server first (AUTH TLS, PBSZ, PROT); the relay then sees the greeting and plain FTP. */
    private void upgradeThenAttach(Channel socket, OpenStream request, AgentLinkGrpc.AgentLinkStub stub, String label,
            Consumer<String> onFailure) {
        UpstreamTls.Session session = tls.startControl(request.getStreamId(), socket);
        socket.pipeline().addLast(new UpstreamTlsUpgrade(ctx -> {
            SslHandler handler = session.newHandler();
            ctx.pipeline().addBefore(ctx.name(), "tls", handler);
            return handler.handshakeFuture();
        }, TLS_UPGRADE_DEADLINE, new UpstreamTlsUpgrade.Outcome() {
            @Override
            public void upgraded(ByteBuf greeting) {
                socket.pipeline().addLast(new ReplayFirst(greeting));
                PipeAttacher.attach(socket, request.getStreamId(), stub, label);
            }

            @Override
            public void failed(String reason) {
                log.warn("{}: {}", label, reason);
                onFailure.accept(reason);
            }
        }));
    }

    /** The event loop this thread runs (a gRPC callback on the link's loop), so the socket shares it. */
    static EventLoop currentLoopOrAny(EventLoops loops) {
        for (EventExecutor executor : loops.group()) {
            if (executor.inEventLoop()) {
                return (EventLoop) executor;
            }
        }
        return loops.group().next();
    }
}
