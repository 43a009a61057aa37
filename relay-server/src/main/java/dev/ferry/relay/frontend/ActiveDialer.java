package dev.ferry.relay.frontend;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Active mode on the relay: dials the client's data port (the one its PORT/EPRT named). */
public final class ActiveDialer {
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private final Class<? extends SocketChannel> channelType;
    private final InetAddress source;

    /** @param source the local address to dial from (the relay's bind address), or a wildcard */
    public ActiveDialer(Class<? extends SocketChannel> channelType, InetAddress source) {
        this.channelType = channelType;
        this.source = source;
    }

    /** Dials {@code client}; {@code connected} prepares the connection (e.g. TLS) before anything else sees it. */
    public ChannelFuture dial(EventLoop loop, InetSocketAddress client, java.util.function.Consumer<SocketChannel> connected) {
        ChannelFuture f = dial(loop, client);
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                connected.accept((SocketChannel) done.channel());
            }
        });
        return f;
    }

    public ChannelFuture dial(EventLoop loop, InetSocketAddress client) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                });
        ChannelFuture f = source.isAnyLocalAddress()
                ? b.connect(client)
                : b.connect(client, new InetSocketAddress(source, 0));
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                done.channel().pipeline().remove(ChannelInboundHandlerAdapter.class);
            }
        });
        return f;
    }
}
