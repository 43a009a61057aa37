package dev.ferry.link.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One event-loop group shared by gRPC and every proxied socket, with the matching channel types:
 * epoll where the native transport loads, NIO elsewhere. The owner shuts it down; gRPC never
 * shuts down a group it was handed.
 */
public final class EventLoops implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean epoll;

    private EventLoops(EventLoopGroup group, boolean epoll) {
        this.group = group;
        this.epoll = epoll;
    }

    /** @param threads event-loop threads; 0 means one per available processor */
    public static EventLoops create(String name, int threads) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new EventLoops(new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, true), factory), epoll);
    }

    /**
     * A group on the JDK's NIO transport whatever the platform: for the few sockets that need what
     * only the JDK's socket can do (sending TCP urgent data), where throughput does not matter.
     */
    public static EventLoops nio(String name, int threads) {
        return new EventLoops(new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                NioIoHandler.newFactory()), false);
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean isEpoll() {
        return epoll;
    }

    public Class<? extends SocketChannel> socketChannelType() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Shuts the group down and waits up to {@code timeout} for it. */
    public void shutdown(Duration timeout) {
        group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(timeout.toMillis() + 1000);
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }
}
