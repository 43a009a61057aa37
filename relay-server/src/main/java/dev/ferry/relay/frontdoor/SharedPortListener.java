package dev.ferry.relay.frontdoor;

import dev.ferry.relay.listen.ControlListener;
import dev.ferry.link.transport.EventLoops;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.drain.LiveSessions;
import dev.ferry.relay.frontend.FrontendListeners;
import dev.ferry.relay.frontend.SessionCounter;
import dev.ferry.relay.frontend.SessionLauncher;
import dev.ferry.relay.ftps.FtpsContexts;
import dev.ferry.relay.tunnel.Tunnel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's shared FTP port ({@code --ftp-listen}): every tunnel is reachable here. Each client
 * counts against its IP's session cap from connect, and talks to a {@link FrontDoor} until the
 * tunnel is known.
 */
public final class SharedPortListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedPortListener.class);

    /** Greets a client and talks to it until its tunnel is known; false if its IP is over the cap. */
    @FunctionalInterface
    private interface Door {
        boolean open(SocketChannel ch, FtpsContexts.ControlTls tls);
    }

    private final Channel channel;
    private final Door door;

    private SharedPortListener(Channel channel, Door door) {
        this.channel = channel;
        this.door = door;
    }

    /**
     * Listens on {@code address} or fails with a message naming {@code --ftp-listen}.
     *
     * @param tunnels the tunnel by its stored domain name
     */
    public static SharedPortListener start(EventLoops loops, HostPort address,
            Function<String, Optional<Tunnel>> tunnels, SessionLauncher launcher, SessionCounter sessions,
            FtpsContexts ftps, Duration loginTimeout, int maxLineLength) {
        return start(loops, address, tunnels, launcher, sessions, ftps, loginTimeout, maxLineLength, new LiveSessions());
    }

    /** @param live lists each client until it closes, so a drain can tell those that name no tunnel yet */
    public static SharedPortListener start(EventLoops loops, HostPort address,
            Function<String, Optional<Tunnel>> tunnels, SessionLauncher launcher, SessionCounter sessions,
            FtpsContexts ftps, Duration loginTimeout, int maxLineLength, LiveSessions live) {
        // SNI naming no tunnel (the relay's own name, an IP address as lftp sends it) is no routing signal here.
        FrontDoor.StartTls startTls = ch -> ftps.startTls(ch, name -> tunnels.apply(name).isPresent(), false);
        Door door = (ch, tls) -> {
            InetAddress ip = ch.remoteAddress().getAddress();
            String over = sessions.tryOpenFromIp(ip);
            if (over != null) {
                log.warn("shared port: refused client {}: {}", ip.getHostAddress(), over);
                launcher.refusedAtConnect(ch, dev.ferry.relay.observe.RefusalReason.PER_IP_CAP);
                ch.eventLoop().execute(() -> ch.writeAndFlush(Unpooled.copiedBuffer(
                        "421 Service not available: " + over + ".\r\n", StandardCharsets.US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE));
                return false;
            }
            ch.closeFuture().addListener(f -> sessions.closeFromIp(ip));
            FrontDoor frontDoor = new FrontDoor(tunnels, launcher, startTls, loginTimeout, maxLineLength, tls);
            ch.pipeline().addLast("front-door", frontDoor);
            live.track(ch, null, frontDoor::drain);
            return true;
        };
        ServerBootstrap bootstrap = ControlListener.bootstrap(loops, ch -> door.open(ch, null));
        ChannelFuture bound = bootstrap.bind(resolve(address)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on the shared FTP port " + address + " (--ftp-listen): "
                    + bound.cause().getMessage() + "; pick another HOST:PORT or --ftp-listen off", bound.cause());
        }
        log.info("listening for FTP clients of every tunnel on {} (shared port)", bound.channel().localAddress());
        return new SharedPortListener(bound.channel(), door);
    }

    private static InetSocketAddress resolve(HostPort address) {
        InetSocketAddress resolved = address.toSocketAddress();
        if (resolved.isUnresolved()) {
            throw new IllegalStateException("cannot listen on the shared FTP port " + address
                    + " (--ftp-listen): unknown host " + address.host());
        }
        return resolved;
    }

    /**
     * Serves an implicit-FTPS client whose ClientHello named no tunnel as if it had connected here
     * and sent {@code AUTH TLS}: it names the tunnel with {@code USER name@domain} or {@code HOST}.
     */
    public void serveWithoutServerName(SocketChannel ch, FtpsContexts.ControlTls tls) {
        ch.eventLoop().execute(() -> door.open(ch, tls));
    }

    /** The port actually bound (useful when configured as 0 in tests). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
