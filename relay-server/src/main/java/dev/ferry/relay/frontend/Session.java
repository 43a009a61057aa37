package dev.ferry.relay.frontend;

import com.google.protobuf.ByteString;
import dev.ferry.link.pipe.SocketPipe;
import dev.ferry.proto.v1.OpenStream;
import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.proto.v1.StartListen;
import dev.ferry.proto.v1.StopListen;
import dev.ferry.proto.v1.StreamKind;
import dev.ferry.relay.data.PassiveLease;
import dev.ferry.relay.drain.LiveSessions;
import dev.ferry.relay.drain.SessionDrain;
import dev.ferry.relay.ftps.DataTls;
import dev.ferry.relay.ftps.FtpsCommandFilter;
import dev.ferry.relay.ftps.FtpsSession;
import dev.ferry.relay.gateway.FtpControlGateway;
import dev.ferry.relay.gateway.DataEndpoints;
import dev.ferry.relay.gateway.SessionEvents;
import dev.ferry.relay.gateway.CommandKind;
import dev.ferry.relay.gateway.FtpCommand;
import dev.ferry.relay.observe.ObservedSession;
import dev.ferry.relay.observe.RelayObservations;
import dev.ferry.relay.observe.SessionOutcome;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import dev.ferry.relay.link.ConnectedAgent;
import dev.ferry.relay.link.StreamIds;
import dev.ferry.relay.tunnel.Tunnel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
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
public final class Session implements DataEndpoints, SessionEvents, SessionDrain {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** The name of the gateway in the client channel's pipeline. */
    public static final String GATEWAY = "gateway";
    /** How long a 226 that overtook the server's active data connection waits for it to reach the relay. */
    private static final Duration ACTIVE_REPLY_GRACE = Duration.ofSeconds(2);

    private final SocketChannel client;
    private final Tunnel tunnel;
    private final ConnectedAgent agent;
    private final SessionServices services;
    private final SessionLauncher.Options options;
    private final String id;
    private final FtpsSession ftps;
    private FtpControlGateway gateway;
    private ByteString controlStreamId = ByteString.EMPTY;
    private PassiveLease lease;
    /** The data connection the last PORT/EPRT prepared, until a PASV/EPSV replaces it; or null. */
    private ActiveTransfer active;
    private long lastCommandNanos = System.nanoTime();
    private int openDataConnections;
    private ScheduledFuture<?> loginDeadline;
    private ScheduledFuture<?> idleCheck;
    /** After AUTH TLS was accepted: the control connection is TLS the relay cannot read or write into. */
    private boolean opaque;
    private final LiveSessions live;
    /** Why the session ends once no command or transfer runs (the relay or the agent drains), or null. */
    private String drainReason;
    private final RelayObservations observations;
    /** What the relay's meters, access log and status page see of this session; set in {@link #start()}. */
    private ObservedSession observed;

    Session(SocketChannel client, Tunnel tunnel, ConnectedAgent agent, SessionServices services, FtpsSession ftps,
            SessionLauncher.Options options, LiveSessions live, RelayObservations observations) {
        this.live = live;
        this.observations = observations;
        this.client = client;
        this.ftps = ftps;
        this.tunnel = tunnel;
        this.agent = agent;
        this.services = services;
        this.options = options;
        this.id = services.nextSessionId();
    }

    /** Asks the agent for a connection to the FTP server and puts the gateway in the path. Runs on the client's loop. */
    void start() {
        observed = observations.sessionOpened(id, tunnel.name(), client.remoteAddress());
        FtpsCommandFilter tls = new FtpsCommandFilter(ftps, () -> services.ftps().forTunnel(tunnel.name()), services.ftps());
        gateway = new FtpControlGateway(services.gatewayConfig(), this, this, client.remoteAddress().getAddress(),
                options.filter().orElse(tls));
        client.pipeline().addLast(GATEWAY, gateway);
        options.handlers().accept(client.pipeline());
        Duration login = services.limits().loginTimeout();
        long left = login.toNanos() - (System.nanoTime() - options.connectedNanos());
        loginDeadline = client.eventLoop().schedule(() -> {
            log.info("{}: no login within {} s, closing", label("control"), login.toSeconds());
            observed.ending(SessionOutcome.LOGIN_TIMEOUT);
            end("421 Login timeout: no successful login within " + login.toSeconds() + " s.");
        }, Math.max(0, left), TimeUnit.NANOSECONDS);
        long every = Math.max(1000, Math.min(30_000, services.limits().idleTimeout().toMillis() / 4));
        idleCheck = client.eventLoop().scheduleAtFixedRate(this::checkIdle, every, every, TimeUnit.MILLISECONDS);
        client.closeFuture().addListener(f -> {
            observed.ended();
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
        options.started().run();
        log.debug("{}: client {} connected", label("control"), client.remoteAddress());
        live.track(client, tunnel.name(), this);
    }

    @Override
    public java.util.concurrent.CompletionStage<Boolean> drain(String reason) {
        java.util.concurrent.CompletableFuture<Boolean> busy = new java.util.concurrent.CompletableFuture<>();
        client.eventLoop().execute(() -> {
            if (drainReason == null) {
                drainReason = reason;
            }
            busy.complete(busy());
            endIfIdle();
        });
        return busy;
    }

    /** A command awaits its reply (a transfer runs until its 226) or a data connection is open. */
    private boolean busy() {
        return openDataConnections > 0 || gateway != null && gateway.awaitingReply();
    }

    /** While draining: ends the session with 421 as soon as nothing runs. On the event loop. */
    private void endIfIdle() {
        if (drainReason == null || !client.isOpen() || busy()) {
            return;
        }
        log.debug("{}: nothing running, closing for the drain", label("control"));
        end(SessionDrain.CLOSING + " (" + drainReason + ").");
    }

    private void checkIdle() {
        Duration idle = services.limits().idleTimeout();
        if (openDataConnections == 0 && System.nanoTime() - lastCommandNanos > idle.toNanos()) {
            log.info("{}: idle for {} s, closing", label("control"), idle.toSeconds());
            observed.ending(SessionOutcome.IDLE_TIMEOUT);
            end("421 Idle timeout (" + idle.toSeconds() + " s): closing control connection.");
        }
    }

    @Override
    public void commandReceived() {
        lastCommandNanos = System.nanoTime();
    }

    @Override
    public void command(FtpCommand command) {
        observed.command(command);
    }

    @Override
    public void answered(FtpCommand command, int code, String text) {
        observed.answered(command, code, text);
        if (drainReason != null) {
            client.eventLoop().execute(this::endIfIdle); // after the reply has left the gateway
        }
    }

    @Override
    public void passiveRewritten(CommandKind kind) {
        observed.passiveRewritten(kind);
    }

    @Override
    public void tooMuchInput() {
        observed.ending(SessionOutcome.TOO_MUCH_INPUT);
        observations.refused(tunnel.name(), client.remoteAddress(), dev.ferry.relay.observe.RefusalReason.TOO_MUCH_INPUT);
    }

    @Override
    public void sessionOpaque() {
        opaque = true;
        loginDeadline.cancel(false); // its 230, its commands and its data connections are out of sight now
        idleCheck.cancel(false);
        log.debug("{}: TLS accepted by the FTP server; the control connection is opaque from now on", label("control"));
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
            observed.ending(SessionOutcome.LOGIN_BLOCKED);
            client.eventLoop().schedule(() -> end("421 Too many failed logins from your address; try again later."),
                    delay.toMillis() + 10, TimeUnit.MILLISECONDS);
        }
        return delay;
    }

    private void controlFailed(String reason) {
        log.warn("{}: cannot reach the FTP server: {}", label("control"), reason);
        observed.ending(SessionOutcome.UPSTREAM_UNREACHABLE);
        end("421 Service not available: the FTP server behind " + tunnel.name()
                + " cannot be reached (" + oneLine(reason) + ").");
    }

    /** Ends the session: with {@code reply}, or silently once the control connection is TLS (never plaintext into it). */
    private void end(String reply) {
        if (opaque) {
            client.close();
        } else {
            refuse(client, reply);
        }
    }

    /** Answers a client with a final reply (inside TLS if it is on) and closes its connection. */
    static void refuse(SocketChannel channel, String reply) {
        io.netty.channel.ChannelOutboundInvoker first = afterTls(channel);
        (first != null ? first : channel)
                .writeAndFlush(Unpooled.copiedBuffer(reply + "\r\n", StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The first handler's context, or the one right after TLS: a write there skips the gateway, not TLS. */
    private static io.netty.channel.ChannelHandlerContext afterTls(SocketChannel channel) {
        boolean tlsSeen = channel.pipeline().get(SslHandler.class) == null;
        for (java.util.Map.Entry<String, io.netty.channel.ChannelHandler> e : channel.pipeline()) {
            if (tlsSeen) {
                return channel.pipeline().context(e.getKey());
            }
            tlsSeen = e.getValue() instanceof SslHandler;
        }
        return null;
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }

    @Override
    public OptionalInt lease(int upstreamPort) {
        releaseLease();
        active = null;
        InetAddress clientIp = client.remoteAddress().getAddress();
        ByteString streamId = services.streamIds().next();
        String label = label("data " + StreamIds.shortForm(streamId));
        EarlyDataStream stream = new EarlyDataStream(services.pending(), agent, client.eventLoop(), streamId, label);
        stream.onFailure(observed::dataFailed);
        Optional<PassiveLease> leased = services.dataPorts().lease(clientIp, client.eventLoop(),
                "session " + id + " (" + tunnel.name() + ")", data -> joinDataStream(data, stream, label),
                stream::unused);
        if (leased.isEmpty()) {
            return OptionalInt.empty();
        }
        lease = leased.get();
        // The server's side opens now, while the reply goes out and the client connects.
        stream.open(open(streamId, StreamKind.STREAM_KIND_DATA, upstreamPort));
        return OptionalInt.of(lease.port());
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    /** A data connection of this session, in either mode: while it is open the session is not idle. */
    private void track(io.netty.channel.Channel data) {
        openDataConnections++;
        data.closeFuture().addListener(f -> client.eventLoop().execute(() -> {
            openDataConnections--;
            lastCommandNanos = System.nanoTime();
            endIfIdle();
        }));
    }

    private void joinDataStream(SocketChannel data, EarlyDataStream stream, String label) {
        track(data);
        if (ftps.protectsData()) {
            // TLS goes on now; the server's side is open already: clients such as ftplib and commons-net
            // start TLS only after the 150, which servers such as vsftpd send only once their own data
            // connection is up. What the server sends waits in TLS until the handshake is done; a refused
            // client is reset, and its pipe resets the server's side, so the transfer fails loudly.
            DataTls.protect(data, ftps, services.ftps(), label, this::dataRefused);
        }
        observed.dataConnection(data);
        stream.join(data);
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
        ActiveTransfer transfer = new ActiveTransfer(client.eventLoop(), ACTIVE_REPLY_GRACE);
        active = transfer;
        services.pending().register(streamId, client.eventLoop(), label,
                () -> {
                    transfer.dialing();
                    return services.activeDialer().dial(client.eventLoop(), clientTarget, data -> {
                        track(data);
                        if (ftps.protectsData()) {
                            DataTls.protect(data, ftps, services.ftps(), label, this::dataRefused);
                        }
                        observed.dataConnection(data);
                        transfer.connected(data);
                    });
                },
                reason -> {
                    log.warn("{}: active data connection failed: {}", label, reason);
                    observed.dataFailed(reason);
                    transfer.failed();
                }, services.activeTimeout());
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

    @Override
    public java.util.concurrent.CompletionStage<String> finalReplyDue(int code) {
        return active == null ? null : active.finalReplyDue(code);
    }

    /** The relay refused a data connection: the transfer's outcome becomes {@code reply}. */
    private void dataRefused(String reply) {
        client.eventLoop().execute(() -> {
            if (gateway != null && client.isOpen() && !gateway.refuseTransfer(reply)) {
                log.debug("{}: refused a data connection outside a transfer", label("control"));
            }
        });
    }

    private RelayMessage open(ByteString streamId, StreamKind kind, int port) {
        return RelayMessage.newBuilder().setOpenStream(OpenStream.newBuilder()
                .setStreamId(streamId).setKind(kind).setUpstreamPort(port).setSessionStreamId(controlStreamId)).build();
    }

    private String label(String what) {
        return "session " + id + " (" + tunnel.name() + ") " + what;
    }
}
