package dev.ferry.relay.frontend;

import dev.ferry.link.transport.EventLoops;
import dev.ferry.relay.ftps.FtpsSession;
import dev.ferry.relay.listen.ControlListener;
import dev.ferry.relay.link.ConnectedAgents;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public FTP listener of every tunnel: opened when a tunnel appears, closed when it goes.
 * A port that cannot be opened is an error naming the port, retried at the next {@link #retryFailed()}.
 */
public final class FrontendListeners implements TunnelRegistry.Listener {
    private static final Logger log = LoggerFactory.getLogger(FrontendListeners.class);
    private final EventLoops loops;
    private final InetAddress bind;
    private final ConnectedAgents agents;
    private final SessionLauncher launcher;
    private final Map<String, Channel> listeners = new ConcurrentHashMap<>();
    private final Map<String, Tunnel> failed = new ConcurrentHashMap<>();

    public FrontendListeners(EventLoops loops, InetAddress bind, ConnectedAgents agents, SessionLauncher launcher) {
        this.loops = loops;
        this.bind = bind;
        this.agents = agents;
        this.launcher = launcher;
    }

    @Override
    public void added(Tunnel tunnel) {
        if (tunnel.hasDedicatedPort()) {
            open(tunnel);
        }
    }

    @Override
    public void removed(Tunnel tunnel) {
        failed.remove(tunnel.name());
        Channel ch = listeners.remove(tunnel.name());
        if (ch != null) {
            ch.close().syncUninterruptibly();
            log.info("tunnel {}: stopped listening on {}", tunnel.name(), ch.localAddress());
        }
        agents.revoke(tunnel.name());
    }

    /** Tries again to open the ports that could not be opened before. */
    public void retryFailed() {
        failed.values().forEach(this::open);
    }

    /** Tunnels whose dedicated FTP port could not be bound (retried at every poll), with the port. */
    public Map<String, Integer> unbound() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        failed.values().forEach(t -> out.put(t.name(), t.ftpPort()));
        return out;
    }

    /** The port a tunnel actually listens on (useful when it was registered as 0 in tests). */
    public Optional<Integer> boundPort(String tunnelName) {
        Channel ch = listeners.get(tunnelName);
        return ch == null ? Optional.empty() : Optional.of(((InetSocketAddress) ch.localAddress()).getPort());
    }

    private void open(Tunnel tunnel) {
        ServerBootstrap bootstrap = ControlListener.bootstrap(loops, ch -> admit(ch, tunnel, new FtpsSession(tunnel.tls())));
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(bind, tunnel.ftpPort())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Tunnel previous = failed.put(tunnel.name(), tunnel);
            if (previous == null) {
                log.error("tunnel {}: cannot listen on FTP port {} ({}:{}): {}; will keep trying",
                        tunnel.name(), tunnel.ftpPort(), bind.getHostAddress(), tunnel.ftpPort(),
                        bound.cause().getMessage());
            }
            return;
        }
        failed.remove(tunnel.name());
        listeners.put(tunnel.name(), bound.channel());
        log.info("tunnel {}: listening for FTP clients on {}", tunnel.name(), bound.channel().localAddress());
    }

    /**
     * Serves a client connection as a session of {@code tunnel}, with the limits of every session:
     * called for each connection to a tunnel's port, and by listeners that learn the tunnel later
     * (implicit FTPS by SNI), with the TLS state the connection already has.
     */
    public void admit(SocketChannel client, Tunnel tunnel, FtpsSession ftps) {
        launcher.accept(client, tunnel, ftps);
    }

    public void closeAll() {
        listeners.values().forEach(ch -> ch.close().syncUninterruptibly());
        listeners.clear();
    }
}
