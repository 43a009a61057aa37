package dev.ferry.relay.data;

import dev.ferry.link.pipe.EarlyInput;
import dev.ferry.link.pipe.SocketPipe;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's passive data ports. A lease binds a random free port of the range on the session's
 * event loop and joins the first connection from the client's IP to its session. Connections from
 * any other address are counted and reset. An unused lease expires.
 *
 * <p>The port keeps listening while its data connection is open, so that a theft shows: a second
 * connection from the client's IP (another session or tunnel behind the same carrier-grade NAT, or
 * a thief that came first) means the lease was contested, and both connections are reset with a
 * warning naming the session, so the transfer fails loudly instead of reaching the wrong party.
 * The port returns to the pool when the listener closes.
 */
public final class DataPortPool {
    private static final Logger log = LoggerFactory.getLogger(DataPortPool.class);
    private static final int RANDOM_TRIES = 32;

    private final PortRange range;
    private final InetAddress bind;
    private final Class<? extends ServerChannel> serverChannelType;
    private final Duration acceptTimeout;
    private final RandomGenerator random;
    private final Set<Integer> leased = ConcurrentHashMap.newKeySet();
    private final java.util.Map<InetAddress, Integer> leasesByIp = new ConcurrentHashMap<>();
    private final int leasesPerIp;
    private final AtomicLong strayConnections = new AtomicLong();
    private final AtomicLong contestedLeases = new AtomicLong();

    public DataPortPool(PortRange range, InetAddress bind, Class<? extends ServerChannel> serverChannelType,
            Duration acceptTimeout, int leasesPerIp, RandomGenerator random) {
        this.leasesPerIp = leasesPerIp;
        this.range = range;
        this.bind = bind;
        this.serverChannelType = serverChannelType;
        this.acceptTimeout = acceptTimeout;
        this.random = random;
    }

    /**
     * Leases a port for a client. Call on {@code loop} (the session's event loop): the port is
     * listening when this returns, so the reply naming it can go out at once.
     *
     * @param owner names the session and tunnel in log lines, e.g. {@code session 3 (alice.example.net)}
     * @param onConnected gets the client's data connection (auto-read off), on {@code loop}
     */
    public Optional<PassiveLease> lease(InetAddress clientIp, EventLoop loop, String owner,
            Consumer<SocketChannel> onConnected) {
        return lease(clientIp, loop, owner, onConnected, () -> { });
    }

    /**
     * As {@link #lease(InetAddress, EventLoop, String, Consumer)}; {@code onUnused} runs once, on
     * {@code loop}, if the lease ends (released or expired) without a data connection.
     */
    public Optional<PassiveLease> lease(InetAddress clientIp, EventLoop loop, String owner,
            Consumer<SocketChannel> onConnected, Runnable onUnused) {
        if (leasesByIp.merge(clientIp, 1, Integer::sum) > leasesPerIp) {
            leasesByIp.computeIfPresent(clientIp, (k, n) -> n <= 1 ? null : n - 1);
            log.warn("passive lease refused to {}: already holds {}", clientIp.getHostAddress(), leasesPerIp);
            return Optional.empty();
        }
        Optional<PassiveLease> lease = leaseFor(clientIp, loop, owner, onConnected, onUnused);
        if (lease.isEmpty()) {
            leasesByIp.computeIfPresent(clientIp, (k, n) -> n <= 1 ? null : n - 1);
        }
        return lease;
    }

    private Optional<PassiveLease> leaseFor(InetAddress clientIp, EventLoop loop, String owner,
            Consumer<SocketChannel> onConnected, Runnable onUnused) {
        for (int attempt = 0; attempt < RANDOM_TRIES + range.size(); attempt++) {
            int port = attempt < RANDOM_TRIES
                    ? range.low() + random.nextInt(range.size())
                    : range.low() + (attempt - RANDOM_TRIES);
            if (!leased.add(port)) {
                continue;
            }
            Optional<PassiveLease> lease = tryBind(port, clientIp, loop, owner, onConnected, onUnused);
            if (lease.isPresent()) {
                return lease;
            }
            leased.remove(port);
        }
        log.warn("no free passive port in {}", range);
        return Optional.empty();
    }

    private Optional<PassiveLease> tryBind(int port, InetAddress clientIp, EventLoop loop, String owner,
            Consumer<SocketChannel> onConnected, Runnable onUnused) {
        Lease lease = new Lease(port, clientIp, owner, onUnused);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop, loop)
                .channel(serverChannelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 4)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new Gatekeeper(lease, onConnected));
        ChannelFuture registered = bootstrap.register();
        if (!loop.inEventLoop()) {
            registered.syncUninterruptibly();
        }
        if (!registered.isSuccess()) {
            return Optional.empty();
        }
        ChannelFuture bound = registered.channel().bind(new InetSocketAddress(bind, port));
        if (!loop.inEventLoop()) {
            bound.awaitUninterruptibly();
        }
        if (!bound.isDone() || !bound.isSuccess()) {
            registered.channel().close();
            return Optional.empty();
        }
        lease.listener = registered.channel();
        lease.expiry = loop.schedule(lease::release, acceptTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (lease.isReleased()) {
            lease.stopListening(); // released while binding
            loop.execute(lease.unused);
        }
        return Optional.of(lease);
    }

    /** Connections to leased ports from an address other than the session's client. */
    public long strayConnections() {
        return strayConnections.get();
    }

    /** Leases that got a second data connection from the client's IP: both were reset. */
    public long contestedLeases() {
        return contestedLeases.get();
    }

    public int leasedCount() {
        return leased.size();
    }

    private final class Lease implements PassiveLease {
        private final int port;
        private final InetAddress clientIp;
        private final String owner;
        /** Runs once if the lease ends without a data connection. */
        private final Runnable unused;
        /** No new data connection is wanted: joined, released by the session, or expired. */
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile Channel listener;
        private volatile ScheduledFuture<?> expiry;
        /** The data connection joined to the session; touched on the lease's loop only. */
        private SocketChannel joined;

        Lease(int port, InetAddress clientIp, String owner, Runnable unused) {
            this.unused = unused;
            this.port = port;
            this.clientIp = clientIp;
            this.owner = owner;
        }

        @Override
        public int port() {
            return port;
        }

        /** Wants no new connection; the listener stays while a joined data connection is open. */
        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                leasesByIp.computeIfPresent(clientIp, (k, n) -> n <= 1 ? null : n - 1);
                ScheduledFuture<?> e = expiry;
                if (e != null) {
                    e.cancel(false);
                }
                Channel l = listener;
                if (l != null && l.eventLoop().inEventLoop()) {
                    stopUnlessJoined();
                } else if (l != null) {
                    l.eventLoop().execute(this::stopUnlessJoined);
                }
            }
        }

        private void stopUnlessJoined() {
            if (joined == null) {
                stopListening();
                unused.run();
            }
        }

        /** Closes the listener; the port returns to the pool when it is closed. */
        void stopListening() {
            Channel l = listener;
            if (l != null && closed.compareAndSet(false, true)) {
                l.close().addListener(f -> leased.remove(port));
            }
        }

        boolean isReleased() {
            return released.get();
        }
    }

    /** Joins the session's client once; resets everyone else, and both connections of a contested lease. */
    private final class Gatekeeper extends ChannelInboundHandlerAdapter {
        private final Lease lease;
        private final Consumer<SocketChannel> onConnected;

        Gatekeeper(Lease lease, Consumer<SocketChannel> onConnected) {
            this.lease = lease;
            this.onConnected = onConnected;
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            SocketChannel child = (SocketChannel) ctx.channel();
            ctx.pipeline().remove(this);
            InetAddress peer = child.remoteAddress().getAddress();
            if (!peer.equals(lease.clientIp)) {
                strayConnections.incrementAndGet();
                log.warn("passive port {}: refused a data connection from {} (expected {})", lease.port, peer, lease.clientIp);
                SocketPipe.resetChannel(child);
            } else if (lease.joined != null) {
                contestedLeases.incrementAndGet();
                log.warn("passive port {} contested: a second data connection from {} for {}; resetting both",
                        lease.port, peer.getHostAddress(), lease.owner);
                SocketPipe.resetChannel(child);
                SocketPipe.resetChannel(lease.joined);
                lease.stopListening();
            } else if (lease.isReleased()) {
                strayConnections.incrementAndGet();
                log.warn("passive port {}: refused a data connection from {}: the lease of {} has ended",
                        lease.port, peer.getHostAddress(), lease.owner);
                SocketPipe.resetChannel(child);
            } else {
                EarlyInput.install(child); // its stream may attach after the client has sent all and closed
                lease.joined = child;
                lease.release();
                child.closeFuture().addListener(f -> lease.stopListening());
                onConnected.accept(child);
            }
        }
    }
}
