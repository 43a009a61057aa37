package dev.ferry.relay.frontdoor;

import dev.ferry.relay.frontend.Session;
import dev.ferry.relay.ftps.FtpsContexts;
import dev.ferry.relay.ftps.FtpsSession;
import dev.ferry.relay.frontend.SessionLauncher;
import dev.ferry.relay.gateway.FtpCommand;
import dev.ferry.relay.gateway.LineSplitter;
import dev.ferry.relay.tunnel.DomainName;
import dev.ferry.relay.tunnel.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared port's side of a client's control connection until its tunnel is known: the relay's
 * own {@code 220}, {@code FEAT}, {@code HOST}, {@code USER}, {@code OPTS UTF8}, {@code TYPE},
 * {@code NOOP}, {@code QUIT}, and {@code AUTH}, {@code PBSZ}, {@code PROT} (TLS starts here, the
 * certificate picked by SNI), each answered in order; every other command gets {@code 530}
 * ({@code 503} for PASS). The tunnel comes from, in this order, {@code HOST domain} (which must
 * agree with SNI), the TLS server name (SNI), then {@code USER name@domain} or
 * {@code USER domain|name} (see {@link UserRoute}). Then the
 * {@link SessionLauncher} takes the channel over and this handler passes bytes through, after
 * handing the gateway {@code USER name} and whatever the client sent after it.
 */
final class FrontDoor extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrontDoor.class);

    static final String GREETING = "220 Ferry relay ready: send HOST domain, or USER name@domain.\r\n";
    static final String FEATURES = "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n EPSV\r\n HOST\r\n UTF8\r\n211 End\r\n";
    static final String LOGIN_FIRST = "530 Please login with USER and PASS.\r\n";
    static final String NO_SITE = "530 Login incorrect: name the site as USER name@domain (or send HOST domain first).\r\n";
    static final String PASS_FIRST = "503 Login with USER first.\r\n";
    static final String HOST_UNKNOWN = "504 Unknown host: no site by that name on this relay.\r\n";
    static final String HOST_SYNTAX = "501 Syntax error: HOST needs a domain name.\r\n";
    static final String TOO_LONG = "500 Command line too long.\r\n";
    static final String HOST_NOT_SNI = "504 HOST names another site than the TLS server name (SNI) of this connection.\r\n";

    private final Function<String, Optional<Tunnel>> tunnels;
    private final SessionLauncher launcher;
    private final StartTls startTls;
    private final Duration loginTimeout;
    private final int maxLineLength;
    private final long connectedNanos = System.nanoTime();
    private final LineSplitter commands;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> loginDeadline;
    private boolean routed;
    private boolean discardingLongLine;
    /** What the client sent after the command that named the tunnel, for the session. */
    private ByteBuf rest;
    private boolean utf8;
    private String type;
    /** The control connection's TLS, once its handshake is done. */
    private FtpsContexts.ControlTls tls;
    private boolean tlsStarting;
    private boolean bufferSizeSet;
    private String protection;

    /** Puts server-side TLS on the channel, the certificate picked by SNI (see {@link FtpsContexts#startTls}). */
    @FunctionalInterface
    interface StartTls {
        Future<FtpsContexts.ControlTls> start(Channel channel);
    }

    /**
     * @param tunnels the tunnel by its stored domain name
     */
    FrontDoor(Function<String, Optional<Tunnel>> tunnels, SessionLauncher launcher, StartTls startTls,
            Duration loginTimeout, int maxLineLength) {
        this(tunnels, launcher, startTls, loginTimeout, maxLineLength, null);
    }

    /** @param tls TLS the connection already speaks (implicit FTPS whose ClientHello named no tunnel), or null */
    FrontDoor(Function<String, Optional<Tunnel>> tunnels, SessionLauncher launcher, StartTls startTls,
            Duration loginTimeout, int maxLineLength, FtpsContexts.ControlTls tls) {
        this.tls = tls;
        this.tunnels = tunnels;
        this.launcher = launcher;
        this.startTls = startTls;
        this.loginTimeout = loginTimeout;
        this.maxLineLength = maxLineLength;
        this.commands = new LineSplitter(maxLineLength + 2);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            begin(ctx); // added to a connected channel (implicit FTPS, once TLS is up)
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        begin(ctx);
        ctx.fireChannelActive();
    }

    private void begin(ChannelHandlerContext ctx) {
        if (loginDeadline != null) {
            return; // an accepted channel is active already when added, and then says so again
        }
        loginDeadline = ctx.executor().schedule(() -> {
            log.info("shared port: {} did not log in within {} s, closing", ctx.channel().remoteAddress(),
                    loginTimeout.toSeconds());
            reply("421 Login timeout: no successful login within " + loginTimeout.toSeconds() + " s.\r\n");
            ctx.flush();
            ctx.close();
        }, loginTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.writeAndFlush(ascii(GREETING));
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (loginDeadline != null) {
            loginDeadline.cancel(false);
        }
        if (rest != null) {
            rest.release();
            rest = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (routed || !(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            commands.feed(in, this::line);
            if (routed && commands.holdsPartial()) {
                rest.writeBytes(commands.takePartial());
            }
        } finally {
            in.release();
        }
        ctx.flush();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!routed && ctx.channel().isWritable()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!routed && ctx.channel().isWritable()) {
            ctx.read(); // a client that does not read its replies is not read either
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (routed) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        log.debug("shared port: {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void line(byte[] bytes, boolean first, boolean complete) {
        if (routed) {
            rest.writeBytes(bytes);
        } else if (tlsStarting) {
            // Nothing may follow AUTH before the client has read 234: such bytes are dropped.
        } else if (!complete || discardingLongLine) {
            discardingLongLine = !complete;
            if (complete) {
                reply(TOO_LONG);
            }
        } else {
            command(FtpCommand.parse(bytes));
        }
    }

    private void command(FtpCommand command) {
        String verb = command.verb().toUpperCase(Locale.ROOT);
        String argument = command.argument();
        switch (verb) {
            case "HOST" -> host(argument);
            case "USER" -> user(argument);
            case "PASS" -> reply(PASS_FIRST);
            case "FEAT" -> reply(FEATURES);
            case "OPTS" -> opts(argument);
            case "TYPE" -> type(argument);
            case "AUTH" -> auth(argument);
            case "PBSZ" -> pbsz();
            case "PROT" -> prot(argument);
            case "NOOP" -> reply("200 NOOP ok.\r\n");
            case "QUIT" -> {
                reply("221 Goodbye.\r\n");
                ctx.flush();
                ctx.close();
            }
            case "" -> reply("500 Empty command.\r\n");
            default -> reply(LOGIN_FIRST);
        }
    }

    private void host(String argument) {
        Optional<String> domain = DomainName.normalize(argument);
        if (domain.isEmpty()) {
            reply(HOST_SYNTAX);
            return;
        }
        Optional<String> sni = serverName();
        if (sni.isPresent() && !sni.get().equals(domain.get())) {
            log.info("shared port: {} sent HOST {} on a TLS connection to {}", ctx.channel().remoteAddress(),
                    domain.get(), sni.get());
            reply(HOST_NOT_SNI);
            return;
        }
        Optional<Tunnel> tunnel = tunnels.apply(domain.get());
        if (tunnel.isEmpty()) {
            log.info("shared port: {} asked for unknown host {}", ctx.channel().remoteAddress(), domain.get());
            reply(HOST_UNKNOWN);
            return;
        }
        route(tunnel.get(), "220 Host accepted: " + tunnel.get().name() + ".\r\n", null);
    }

    private void user(String argument) {
        Optional<String> sni = serverName();
        Optional<UserRoute> route = sni.isPresent()
                ? Optional.of(UserRoute.parse(argument, sni.get()::equals).orElse(new UserRoute(argument, sni.get())))
                : UserRoute.parse(argument, name -> tunnels.apply(name).isPresent());
        Optional<Tunnel> tunnel = route.flatMap(r -> tunnels.apply(r.domain()));
        if (tunnel.isEmpty()) {
            log.info("shared port: {} sent USER without a known site", ctx.channel().remoteAddress());
            reply(NO_SITE);
            return;
        }
        route(tunnel.get(), null, "USER " + route.get().name() + "\r\n");
    }

    /** The tunnel the client named in its TLS ClientHello (a name that is no tunnel never gets this far). */
    private Optional<String> serverName() {
        return tls == null ? Optional.empty() : tls.serverName();
    }

    private void auth(String argument) {
        if (tls != null) {
            reply("503 TLS is already on for this connection.\r\n");
            return;
        }
        String mechanism = argument.toUpperCase(Locale.ROOT);
        if (!List.of("TLS", "SSL", "TLS-C", "TLS-P").contains(mechanism)) {
            reply("504 AUTH mechanism not supported; use AUTH TLS.\r\n");
            return;
        }
        if (mechanism.equals("TLS-P")) {
            protection = "P";
        }
        tlsStarting = true;
        ctx.writeAndFlush(ascii("234 AUTH " + mechanism + " accepted: start the TLS handshake.\r\n"));
        Channel channel = ctx.channel();
        startTls.start(channel).addListener(f -> {
            if (!f.isSuccess()) {
                log.info("shared port: TLS with {} failed: {}", channel.remoteAddress(), String.valueOf(f.cause()));
                channel.close();
                return;
            }
            tls = (FtpsContexts.ControlTls) f.getNow();
            tlsStarting = false;
            log.debug("shared port: TLS with {} is on (server name {})", channel.remoteAddress(),
                    tls.serverName().orElse("none"));
            ctx.read();
        });
    }

    private void pbsz() {
        if (tls == null) {
            reply("503 PBSZ needs AUTH TLS first.\r\n");
            return;
        }
        bufferSizeSet = true;
        reply("200 PBSZ=0\r\n");
    }

    private void prot(String argument) {
        String level = argument.toUpperCase(Locale.ROOT);
        if (tls == null) {
            reply("503 PROT needs AUTH TLS first.\r\n");
        } else if (level.equals("P") || level.equals("C")) {
            protection = level;
            reply(level.equals("P") ? "200 PROT P: data connections are protected by TLS.\r\n"
                    : "200 PROT C: data connections are in the clear.\r\n");
        } else if (level.equals("S") || level.equals("E")) {
            reply("536 PROT " + level + " is not supported; use PROT P or PROT C.\r\n");
        } else {
            reply("504 PROT takes P or C.\r\n");
        }
    }

    private void opts(String argument) {
        String[] words = argument.toUpperCase(Locale.ROOT).split("\\s+");
        if (words.length == 2 && words[0].equals("UTF8") && (words[1].equals("ON") || words[1].equals("OFF"))) {
            utf8 = words[1].equals("ON");
            reply("200 UTF8 set to " + words[1].toLowerCase(Locale.ROOT) + ".\r\n");
        } else {
            reply(LOGIN_FIRST);
        }
    }

    private void type(String argument) {
        String normalized = argument.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
        if (List.of("A", "A N", "I", "L 8").contains(normalized)) {
            type = normalized;
            reply("200 Type set to " + normalized + ".\r\n");
        } else {
            reply("504 Command not implemented for that parameter.\r\n");
        }
    }

    /**
     * The tunnel is known: admit the client (a refusal is the final reply), answer {@code reply}
     * if any, and hand the channel to a session that first hears {@code firstCommand}, if any.
     */
    private void route(Tunnel tunnel, String reply, String firstCommand) {
        SocketChannel channel = (SocketChannel) ctx.channel();
        SessionLauncher.Admission admission = launcher.admit(channel, tunnel, true);
        if (!admission.admitted()) {
            reply(admission.refusal() + "\r\n");
            ctx.flush();
            ctx.close();
            routed = true;
            rest = ctx.alloc().buffer();
            return;
        }
        routed = true;
        loginDeadline.cancel(false);
        rest = ctx.alloc().buffer();
        if (firstCommand != null) {
            rest.writeCharSequence(firstCommand, StandardCharsets.ISO_8859_1);
        }
        if (reply != null) {
            reply(reply);
        }
        List<String> beforeLogin = new ArrayList<>();
        if (utf8) {
            beforeLogin.add("OPTS UTF8 ON\r\n");
        }
        if (bufferSizeSet) {
            beforeLogin.add("PBSZ 0\r\n"); // answered by the relay's FTPS filter, like PROT
        }
        if (protection != null) {
            beforeLogin.add("PROT " + protection + "\r\n");
        }
        List<String> afterLogin = type == null ? List.of() : List.of("TYPE " + type + "\r\n");
        String label = "shared port " + channel.remoteAddress() + " (" + tunnel.name() + ")";
        FtpsSession ftps = tls == null ? new FtpsSession(tunnel.tls()) : FtpsSession.started(tunnel.tls(), tls);
        log.debug("{}: routed", label);
        launcher.launch(channel, tunnel, admission.agent(), ftps, new SessionLauncher.Options(connectedNanos,
                new RoutedCommands(tunnel.name()),
                pipeline -> pipeline.addBefore(Session.GATEWAY, "handoff", new Handoff(beforeLogin, afterLogin, label)),
                this::handOver));
    }

    /**
     * The relay drains: a client that has not named its tunnel yet gets a 421 and is closed (once it
     * has, its session drains instead). Completes with false: nothing of this client runs yet.
     */
    java.util.concurrent.CompletionStage<Boolean> drain(String reason) {
        java.util.concurrent.CompletableFuture<Boolean> done = new java.util.concurrent.CompletableFuture<>();
        ctx.executor().execute(() -> {
            if (!routed && !tlsStarting && ctx.channel().isOpen()) {
                routed = true; // nothing more is read as a command
                rest = ctx.alloc().buffer();
                reply(dev.ferry.relay.drain.SessionDrain.CLOSING + " (" + reason + ").\r\n");
                ctx.flush();
                ctx.close();
            }
            done.complete(false);
        });
        return done;
    }

    /** On the session's event loop, the gateway in place: the commands after routing go to it. */
    private void handOver() {
        ByteBuf pending = rest;
        rest = null;
        if (pending == null) {
            return;
        }
        if (pending.isReadable()) {
            ctx.fireChannelRead(pending);
            ctx.fireChannelReadComplete();
        } else {
            pending.release();
        }
    }

    private void reply(String text) {
        ctx.write(ascii(text));
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }
}
