package dev.ferry.agent.upstream;

import com.google.protobuf.ByteString;
import dev.ferry.link.pipe.SocketPipe;
import dev.ferry.link.transport.EventLoops;
import dev.ferry.proto.v1.AgentLinkGrpc;
import dev.ferry.proto.v1.AgentMessage;
import dev.ferry.proto.v1.ListenFailed;
import dev.ferry.proto.v1.ListenStarted;
import dev.ferry.proto.v1.StartListen;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active mode on the agent: listens beside the FTP server for the one data connection the server
 * will make after a rewritten PORT/EPRT, and carries it to the relay as a Pipe call. Only the
 * upstream server's address may connect; the listener closes after one connection or a timeout.
 */
public final class ActiveListeners {
    private static final Logger log = LoggerFactory.getLogger(ActiveListeners.class);

    private final EventLoops loops;
    private final InetSocketAddress upstream;
    private final Duration acceptTimeout;
    private final UpstreamTlsSessions tls;
    private final Map<ByteString, Channel> listening = new ConcurrentHashMap<>();

    /** @param tls the FTP sessions' TLS toward a server that insists on FTPS, or null for plain FTP */
    public ActiveListeners(EventLoops loops, InetSocketAddress upstream, Duration acceptTimeout, UpstreamTlsSessions tls) {
        this.loops = loops;
        this.upstream = upstream;
        this.acceptTimeout = acceptTimeout;
        this.tls = tls;
    }

    /** The address this host uses to reach the upstream server: the one the server can connect back to. */
    static InetAddress localAddressToward(InetSocketAddress upstream) throws IOException {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(upstream.getAddress(), upstream.getPort());
            return probe.getLocalAddress();
        }
    }

    public void start(StartListen request, AgentLinkGrpc.AgentLinkStub stub, Consumer<AgentMessage> reply) {
        ByteString id = request.getStreamId();
        InetAddress local;
        try {
            local = localAddressToward(upstream);
        } catch (IOException e) {
            reply.accept(failed(id, "no local address toward " + upstream + ": " + e.getMessage()));
            return;
        }
        EventLoop loop = UpstreamDialer.currentLoopOrAny(loops);
        String label = PipeAttacher.label("active data", id);
        ChannelFuture bound = new ServerBootstrap()
                .group(loop, loop)
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_BACKLOG, 2)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        SocketChannel child = (SocketChannel) ctx.channel();
                        ctx.pipeline().remove(this);
                        Channel listener = listening.remove(id);
                        if (listener == null || !fromUpstream(child.remoteAddress().getAddress())) {
                            log.warn("{}: refused a connection from {}", label, child.remoteAddress());
                            SocketPipe.resetChannel(child);
                            return;
                        }
                        listener.close();
                        if (tls != null) {
                            // RFC 4217: the FTP client's side is the TLS client, whichever side connected.
                            tls.protectData(child, request.getSessionStreamId(), label);
                        }
                        PipeAttacher.attach(child, id, stub, label);
                    }

                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .bind(new InetSocketAddress(local, 0));
        bound.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                reply.accept(failed(id, "cannot listen on " + local.getHostAddress() + ": " + f.cause().getMessage()));
                return;
            }
            listening.put(id, f.channel());
            f.channel().eventLoop().schedule(() -> stop(id), acceptTimeout.toMillis(), TimeUnit.MILLISECONDS);
            InetSocketAddress at = (InetSocketAddress) f.channel().localAddress();
            reply.accept(AgentMessage.newBuilder().setListenStarted(ListenStarted.newBuilder().setStreamId(id)
                    .setHost(at.getAddress().getHostAddress()).setPort(at.getPort())).build());
        });
    }

    /** The server's host, or (for a server on loopback) any loopback address it may connect from. */
    private boolean fromUpstream(InetAddress peer) {
        InetAddress server = upstream.getAddress();
        return peer.equals(server) || (server.isLoopbackAddress() && peer.isLoopbackAddress());
    }

    /** Stops listening for {@code id}, if still listening. */
    public void stop(ByteString id) {
        Channel listener = listening.remove(id);
        if (listener != null) {
            listener.close();
        }
    }

    public void closeAll() {
        listening.values().forEach(Channel::close);
        listening.clear();
    }

    private static AgentMessage failed(ByteString id, String reason) {
        return AgentMessage.newBuilder().setListenFailed(ListenFailed.newBuilder().setStreamId(id).setReason(reason)).build();
    }
}
