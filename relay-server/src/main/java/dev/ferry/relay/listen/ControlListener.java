package dev.ferry.relay.listen;

import dev.ferry.link.transport.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.util.function.Consumer;

/**
 * The bootstrap of every listener for FTP control connections (a tunnel's own port, the shared port,
 * implicit FTPS): each accepted client, not yet reading (reads are manual from then on), is handed
 * to {@code accept} on its event loop.
 */
public final class ControlListener {
    /**
     * setsockopt(SOL_SOCKET, SO_OOBINLINE) on Linux: a client's urgent byte (the Telnet DM of a Synch,
     * the LF of ftplib's urgent ABOR line) stays in the stream, where the gateway finds it.
     */
    static final ChannelOption<Integer> OOB_INLINE = new IntegerUnixChannelOption("SO_OOBINLINE", 1, 10);

    private ControlListener() {
    }

    public static ServerBootstrap bootstrap(EventLoops loops, Consumer<SocketChannel> accept) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannelType())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept.accept(ch);
                    }
                });
        if (loops.isEpoll()) {
            bootstrap.childOption(OOB_INLINE, 1); // NIO has no such option: there the urgent byte is lost
        }
        return bootstrap;
    }
}
