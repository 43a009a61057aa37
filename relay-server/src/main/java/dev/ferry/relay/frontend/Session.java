package dev.ferry.relay.frontend;

import com.google.protobuf.ByteString;
import dev.ferry.link.pipe.SocketPipe;
import dev.ferry.proto.v1.OpenStream;
import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.proto.v1.StartListen;
import dev.ferry.proto.v1.StopListen;
import dev.ferry.proto.v1.StreamKind;
import dev.ferry.relay.data.PassiveLease;
import dev.ferry.relay.gateway.FtpControlGateway;
import dev.ferry.relay.gateway.DataEndpoints;
import dev.ferry.relay.gateway.SessionEvents;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import dev.ferry.relay.link.ConnectedAgent;
import dev.ferry.relay.link.StreamIds;
import dev.ferry.relay.tunnel.Tunnel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FTP client's control connection and its data channels. The control connection goes to the
 * agent through the gateway; each passive lease it hands out becomes a data stream when the client
 * connects to it.
 */
public final class Session implements DataEndpoints, SessionEvents {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final SocketChannel client;
    private final Tunnel tunnel;
    private final ConnectedAgent agent;
    private final SessionServices services;
    private final String id;
    private ByteString controlStreamId = ByteString.EMPTY;
    private PassiveLease lease;
    private long lastCommandNanos = System.nanoTime();
    private int openDataConnections;
    private ScheduledFuture<?> loginDeadline;
    private ScheduledFuture<?> idleCheck;

    Session(SocketChannel client, Tunnel tunnel, ConnectedAgent agent, SessionServices services) {
        this.client = client;
        this.tunnel = tunnel;
        this.agent = agent;
        this.services = services;
        this.id = services.nextSessionId();
    }

    /** Asks the agent for a connection to the FTP server and puts the gateway in the path. Runs on the client's loop. */
    void start() {
        client.pipeline().addLast("gateway", new FtpControlGateway(services.gatewayConfig(), this, this,
                client.remoteAddress().getAddress()));
        Duration login = services.limits().loginTimeout();
        loginDeadline = client.eventLoop().schedule(() -> {
            log.info("{}: no login within {} s, closing", label("control"), login.toSeconds());
            refuse(client, "421 Login timeout: no successful login within " + login.toSeconds() + " s.");
        }, login.toMillis(), TimeUnit.MILLISECONDS);
        long every = Math.max(1000, Math.min(30_000, services.limits().idleTimeout().toMillis() / 4));
        idleCheck = client.eventLoop().scheduleAtFixedRate(this::checkIdle, every, every, TimeUnit.MILLISECONDS);
        client.closeFuture().addListener(f -> {
            releaseLease();
            loginDeadline.cancel(false);
            idleCheck.cancel(false);
        });
        ByteString streamId = services.streamIds().next();
        controlStreamId = streamId;
        services.pending().register(streamId, client, label("control"), this::controlFailed);
        if (!agent.send(open(streamId, StreamKind.STREAM_KIND_CONTROL, 0))) {
            services.pending().claim(streamId);
            controlFailed("the agent's link just closed");
            return;
        }
        log.debug("{}: client {} connected", label("control"), client.remoteAddress());
    }

    private void checkIdle() {
        Duration idle = services.limits().idleTimeout();
        if (openDataConnections == 0 && System.nanoTime() - lastCommandNanos > idle.toNanos()) {
            log.info("{}: idle for {} s, closing", label("control"), idle.toSeconds());
            refuse(client, "421 Idle timeout (" + idle.toSeconds() + " s): closing control connection.");
        }
    }

    @Override
    public void commandReceived() {
        lastCommandNanos = System.nanoTime();
    }

    @Override
    public void loginSucceeded() {
        loginDeadline.cancel(false);
        services.loginFailures().succeeded(client.remoteAddress().getAddress(), tunnel.name());
    }

    @Override
    public Duration loginFailed() {
        InetAddress ip = client.remoteAddress().getAddress();
        Duration delay = services.loginFailures().failed(ip, tunnel.name());
        if (services.loginFailures().blocked(ip, tunnel.name())) {
            log.warn("{}: too many failed logins from {}, closing", label("control"), ip.getHostAddress());
            client.eventLoop().schedule(() -> refuse(client, "421 Too many failed logins from your address; try again later."),
                    delay.toMillis() + 10, TimeUnit.MILLISECONDS);
        }
        return delay;
    }

    private void controlFailed(String reason) {
        log.warn("{}: cannot reach the FTP server: {}", label("control"), reason);
        refuse(client, "421 Service not available: the FTP server behind " + tunnel.name()
                + " cannot be reached (" + oneLine(reason) + ").");
    }

    /** Answers a client with a final reply and closes its connection. */
    static void refuse(SocketChannel channel, String reply) {
        io.netty.channel.ChannelOutboundInvoker first = channel.pipeline().firstContext();
        (first != null ? first : channel)
                .writeAndFlush(Unpooled.copiedBuffer(reply + "\r\n", StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }

    @Override
    public OptionalInt lease(int upstreamPort) {
        releaseLease();
        InetAddress clientIp = client.remoteAddress().getAddress();
        Optional<PassiveLease> leased = services.dataPorts().lease(clientIp, client.eventLoop(),
                data -> openDataStream(data, upstreamPort));
        if (leased.isEmpty()) {
            return OptionalInt.empty();
        }
        lease = leased.get();
        return OptionalInt.of(lease.port());
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    private void openDataStream(SocketChannel data, int upstreamPort) {
        openDataConnections++;
        data.closeFuture().addListener(f -> client.eventLoop().execute(() -> {
            openDataConnections--;
            lastCommandNanos = System.nanoTime();
        }));
        ByteString streamId = services.streamIds().next();
        String label = label("data " + StreamIds.shortForm(streamId));
        services.pending().register(streamId, data, label, reason -> {
            log.warn("{}: data connection to the FTP server's port {} failed: {}", label, upstreamPort, reason);
            SocketPipe.resetChannel(data);
        });
        if (!agent.send(open(streamId, StreamKind.STREAM_KIND_DATA, upstreamPort))) {
            services.pending().claim(streamId);
            SocketPipe.resetChannel(data);
        }
    }

    /**
     * Active mode: asks the agent to listen beside the FTP server for the server's data connection,
     * which the relay will join to a connection it dials to {@code clientTarget}. Completes with the
     * address to put in the PORT/EPRT sent to the server, or exceptionally with a reason.
     */
    public java.util.concurrent.CompletableFuture<InetSocketAddress> prepareActive(InetSocketAddress clientTarget) {
        ByteString streamId = services.streamIds().next();
        String label = label("active data " + StreamIds.shortForm(streamId));
        java.util.concurrent.CompletableFuture<InetSocketAddress> listening = services.listens().register(streamId);
        services.pending().register(streamId, client.eventLoop(), label,
                () -> services.activeDialer().dial(client.eventLoop(), clientTarget),
                reason -> log.warn("{}: active data connection failed: {}", label, reason), services.activeTimeout());
        boolean sent = agent.send(RelayMessage.newBuilder()
                .setStartListen(StartListen.newBuilder().setStreamId(streamId).setSessionStreamId(controlStreamId)).build());
        if (!sent) {
            services.pending().claim(streamId);
            listening.completeExceptionally(new IllegalStateException("the agent's link is closed"));
        }
        listening.whenComplete((at, e) -> {
            if (e != null) {
                services.pending().claim(streamId);
            }
        });
        client.closeFuture().addListener(f -> {
            if (services.pending().claim(streamId) != null) {
                agent.send(RelayMessage.newBuilder()
                        .setStopListen(StopListen.newBuilder().setStreamId(streamId)).build());
            }
        });
        return listening.orTimeout(services.activeTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private RelayMessage open(ByteString streamId, StreamKind kind, int port) {
        return RelayMessage.newBuilder().setOpenStream(OpenStream.newBuilder()
                .setStreamId(streamId).setKind(kind).setUpstreamPort(port).setSessionStreamId(controlStreamId)).build();
    }

    private String label(String what) {
        return "session " + id + " (" + tunnel.name() + ") " + what;
    }
}
