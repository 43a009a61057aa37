package dev.ferry.relay.ftps;

import dev.ferry.relay.listen.ControlListener;
import dev.ferry.link.transport.EventLoops;
import dev.ferry.relay.tunnel.Tunnel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implicit FTPS ({@code --ftps-listen}, port 990 in production): TLS from the first byte, the tunnel
 * picked by the SNI of the ClientHello. A name that is no tunnel gets a TLS {@code unrecognized_name}
 * alert; a handshake that does not finish within the deadline is closed. A client that sends no
 * name is handed to {@code unnamed} (by default: a {@code 421} asking for the domain name).
 */
public final class ImplicitFtpsListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImplicitFtpsListener.class);
    static final String NO_NAME = "421 Name the tunnel: connect with its domain name (TLS SNI), e.g. ftps://alice.ftp.example.net/";

    /** Serves a connection as a session of its tunnel (the relay's frontend). */
    @FunctionalInterface
    public interface Admission {
        void admit(SocketChannel client, Tunnel tunnel, FtpsSession ftps);
    }

    private final Channel listener;

    private ImplicitFtpsListener(Channel listener) {
        this.listener = listener;
    }

    /**
     * Listens on {@code address}; throws naming the flag if the port cannot be opened.
     *
     * @param unnamed gets connections whose ClientHello named no server, after the handshake
     */
    public static ImplicitFtpsListener start(EventLoops loops, InetSocketAddress address, FtpsContexts contexts,
            Function<String, Optional<Tunnel>> tunnels, Admission admission,
            BiConsumer<SocketChannel, FtpsContexts.ControlTls> unnamed) {
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(unnamed, "unnamed");
        ServerBootstrap bootstrap = ControlListener.bootstrap(loops, ch -> {
            Future<FtpsContexts.ControlTls> tls = contexts.startTls(ch, name -> tunnels.apply(name).isPresent());
            tls.addListener(f -> route(ch, tls, tunnels, admission, unnamed));
            ch.eventLoop().execute(ch::read);
        });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen for implicit FTPS on " + address.getAddress().getHostAddress()
                    + ":" + address.getPort() + " (--ftps-listen): " + bound.cause().getMessage(), bound.cause());
        }
        log.info("listening for implicit FTPS clients on {}", bound.channel().localAddress());
        return new ImplicitFtpsListener(bound.channel());
    }

    private static void route(SocketChannel ch, Future<FtpsContexts.ControlTls> tls,
            Function<String, Optional<Tunnel>> tunnels, Admission admission,
            BiConsumer<SocketChannel, FtpsContexts.ControlTls> unnamed) {
        if (!tls.isSuccess()) {
            log.info("implicit FTPS client {}: TLS failed: {}", ch.remoteAddress(), String.valueOf(tls.cause()));
            ch.close();
            return;
        }
        FtpsContexts.ControlTls done = tls.getNow();
        Optional<Tunnel> tunnel = done.serverName().flatMap(tunnels);
        if (tunnel.isEmpty()) {
            unnamed.accept(ch, done);
            return;
        }
        admission.admit(ch, tunnel.get(), FtpsSession.started(tunnel.get().tls(), done));
    }

    /** The default for clients that name no tunnel: say how, and close. */
    public static void askForName(SocketChannel ch, FtpsContexts.ControlTls tls) {
        ch.writeAndFlush(Unpooled.copiedBuffer(NO_NAME + "\r\n", StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }
}
