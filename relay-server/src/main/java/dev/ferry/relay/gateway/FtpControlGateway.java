package dev.ferry.relay.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FTP application-level gateway on a client's control connection. Inbound bytes are the
 * client's commands (toward the server); outbound writes are the server's replies (toward the
 * client). Every byte passes unchanged except:
 * <ul>
 *   <li>the final line of the reply to a PASV/EPSV this gateway forwarded: the relay's public
 *       address and a leased port (or 425 if the reply cannot be read or no port is free);</li>
 *   <li>PORT/EPRT: checked (client's own IP, port >= 1024), then replaced by the address where the
 *       agent listens beside the server; refused ones are answered here and never forwarded;</li>
 *   <li>over-long command lines, LPSV, LPRT and CCC: answered here, never forwarded.</li>
 * </ul>
 * Replies are matched to commands by a queue of expectations, never by searching the stream. After
 * the server accepts AUTH (234) nothing is parsed or changed again.
 *
 * <p>An empty buffer written outbound flushes any unfinished reply line through unchanged (the
 * pipe writes one before it forwards the server's FIN).
 */
public final class FtpControlGateway extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(FtpControlGateway.class);
    private static final String TOO_LONG = "500 Command line too long.\r\n";
    private static final int MAX_BUFFERED_REPLY = 16 * 1024;
    private static final int MAX_HELD = 64 * 1024;

    /** One reply the client is owed: from the server for a forwarded command, or a local one. */
    private record Expected(CommandKind kind, String local) {
        static final Expected GREETING = new Expected(CommandKind.OTHER, null);
    }

    private final GatewayConfig config;
    private final DataEndpoints endpoints;
    private final SessionEvents events;
    private final InetAddress client;
    private final LineSplitter commands;
    private final LineSplitter replies;
    private final Deque<Expected> expected = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    private boolean passThrough;
    /** Client input held while an AUTH reply or an active-mode setup is pending. */
    private ByteBuf held;
    private boolean holding;
    private boolean discardingLongLine;
    private int replyCode = -1;
    /** Non-final lines of a multi-line 227/229 reply, held until its final line decides their fate. */
    private List<byte[]> buffered;
    private int bufferedBytes;
    private boolean longLineEndsReply;
    private int longLineCode;
    private ByteBuf delayedOutput;
    private boolean delaying;

    public FtpControlGateway(GatewayConfig config, DataEndpoints endpoints, SessionEvents events, InetAddress client) {
        this.config = config;
        this.endpoints = endpoints;
        this.events = events;
        this.client = client;
        this.commands = new LineSplitter(config.maxLineLength() + 2);
        this.replies = new LineSplitter(Math.max(config.maxLineLength(), 8192));
        expected.add(Expected.GREETING);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
        if (delayedOutput != null) {
            delayedOutput.release();
            delayedOutput = null;
        }
    }

    // ---------------------------------------------------------------- client -> server

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (passThrough || !(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (holding) {
            hold(in);
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        try {
            readCommands(in, out);
        } catch (RuntimeException e) {
            log.warn("gateway: cannot read client input, passing it through: {}", e.toString());
            out.writeBytes(in);
        } finally {
            in.release();
        }
        forward(out);
    }

    private void readCommands(ByteBuf in, ByteBuf out) {
        commands.feed(in, (bytes, first, complete) -> {
            if (holding) {
                holdBytes(bytes);
                return;
            }
            if (!complete || discardingLongLine) {
                // Over the limit: dropped up to its LF, answered once, never split into commands.
                discardingLongLine = !complete;
                if (complete) {
                    expectLocal(TOO_LONG);
                }
                return;
            }
            int end = bytes.length >= 2 && bytes[bytes.length - 2] == '\r' ? 2 : 1;
            if (bytes.length - end > config.maxLineLength()) {
                expectLocal(TOO_LONG);
                return;
            }
            command(bytes, out);
        });
        if (holding && commands.holdsPartial() && !discardingLongLine) {
            holdBytes(commands.takePartial());
        }
    }

    private void command(byte[] line, ByteBuf out) {
        events.commandReceived();
        FtpCommand command = FtpCommand.parse(line);
        switch (command.kind()) {
            case LPSV -> expectLocal("502 LPSV is not supported through this relay; use PASV or EPSV.\r\n");
            case LPRT -> expectLocal("502 LPRT is not supported through this relay; use PORT or EPRT.\r\n");
            case CCC -> expectLocal("533 CCC is refused: the control connection stays as it is.\r\n");
            case PORT, EPRT -> active(command);
            case AUTH -> {
                // Whatever follows waits for the answer: after 234 it is TLS and must not be parsed.
                out.writeBytes(line);
                expected.add(new Expected(CommandKind.AUTH, null));
                holding = true;
            }
            default -> {
                out.writeBytes(line);
                expected.add(new Expected(command.kind(), null));
            }
        }
    }

    private void active(FtpCommand command) {
        InetSocketAddress target;
        try {
            target = command.kind() == CommandKind.PORT
                    ? ActiveCommands.port(command.argument(), client)
                    : ActiveCommands.eprt(command.argument(), client);
        } catch (ActiveCommands.Refused refused) {
            log.warn("gateway: refused {} {} from {}", command.verb(), command.argument(), client.getHostAddress());
            expectLocal(refused.reply());
            return;
        }
        // Everything the client sends after this waits until the agent is listening.
        holding = true;
        endpoints.prepareActive(target).whenComplete((agent, error) -> ctx.executor().execute(() -> {
            Throwable failure = error;
            if (!ctx.channel().isOpen()) {
                return;
            }
            String rewritten = null;
            try {
                rewritten = failure == null ? ActiveCommands.rewrite(command.kind(), agent) : null;
            } catch (RuntimeException e) {
                failure = e;
            }
            if (rewritten == null) {
                log.warn("gateway: active mode for {} failed: {}", target, String.valueOf(failure));
                expectLocal("425 Can't open data connection: the relay could not prepare active mode.\r\n");
            } else {
                expected.add(new Expected(command.kind(), null));
                forward(Unpooled.copiedBuffer(rewritten, StandardCharsets.US_ASCII));
            }
            resume();
        }));
    }

    /** Stops holding client input and reads what was held. */
    private void resume() {
        holding = false;
        ByteBuf pending = held;
        held = null;
        if (pending != null) {
            if (passThrough) {
                ctx.fireChannelRead(pending);
            } else {
                channelRead(ctx, pending);
            }
        }
    }

    private void hold(ByteBuf in) {
        if (held == null) {
            held = ctx.alloc().buffer(in.readableBytes());
        }
        held.writeBytes(in);
        in.release();
        checkHeld();
    }

    private void holdBytes(byte[] bytes) {
        if (held == null) {
            held = ctx.alloc().buffer(bytes.length);
        }
        held.writeBytes(bytes);
        checkHeld();
    }

    /** A client that keeps sending while the relay waits for the server gets cut off, not buffered. */
    private void checkHeld() {
        if (held.readableBytes() > MAX_HELD) {
            log.warn("gateway: {} sent over {} bytes while a reply was pending; closing", client.getHostAddress(),
                    MAX_HELD);
            releaseHeld();
            ctx.writeAndFlush(Unpooled.copiedBuffer("421 Too much input while waiting for the server; closing.\r\n",
                    StandardCharsets.US_ASCII)).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    private void forward(ByteBuf out) {
        if (out.isReadable()) {
            ctx.fireChannelRead(out);
        } else {
            out.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !passThrough && commands.holdsPartial() && !holding) {
            // The client half-closed mid-line: what it sent still goes to the server, unchanged.
            forward(Unpooled.wrappedBuffer(commands.takePartial()));
        }
        ctx.fireUserEventTriggered(evt);
    }

    // ---------------------------------------------------------------- server -> client

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (passThrough || !(msg instanceof ByteBuf in)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        try {
            if (!in.isReadable()) {
                out.writeBytes(replies.takePartial());
            } else {
                replies.feed(in, (bytes, first, complete) -> reply(bytes, first, complete, out));
            }
        } catch (RuntimeException e) {
            log.warn("gateway: cannot read server reply, passing it through: {}", e.toString());
            out.writeBytes(in);
        } finally {
            in.release();
        }
        emit(out, promise);
    }

    private void reply(byte[] bytes, boolean first, boolean complete, ByteBuf out) {
        if (passThrough) {
            out.writeBytes(bytes);
            return;
        }
        if (!first) {
            // The rest of a line too long to hold: streamed on unchanged, never rewritten.
            out.writeBytes(bytes);
            if (complete && longLineEndsReply) {
                longLineEndsReply = false;
                replyComplete(longLineCode, null, out);
            }
            return;
        }
        ReplyLine line = ReplyLine.of(bytes);
        if (replyCode < 0) {
            if (!line.hasCode()) {
                out.writeBytes(bytes); // not part of any reply: pass it on
                return;
            }
            replyCode = line.code();
        }
        boolean ends = line.hasCode() && line.last() && line.code() == replyCode;
        if (!complete) {
            flushBuffered(out);
            out.writeBytes(bytes);
            longLineEndsReply = ends;
            longLineCode = replyCode;
            if (ends) {
                replyCode = -1;
            }
            return;
        }
        if (!ends) {
            if (isPassiveReply() && bufferedBytes + bytes.length <= MAX_BUFFERED_REPLY) {
                if (buffered == null) {
                    buffered = new ArrayList<>();
                }
                buffered.add(bytes);
                bufferedBytes += bytes.length;
            } else {
                flushBuffered(out);
                out.writeBytes(bytes);
            }
            return;
        }
        int code = replyCode;
        replyCode = -1;
        replyComplete(code, bytes, out);
    }

    private boolean isPassiveReply() {
        Expected head = expected.peek();
        return head != null && (head.kind() == CommandKind.PASV && replyCode == 227
                || head.kind() == CommandKind.EPSV && replyCode == 229);
    }

    private void flushBuffered(ByteBuf out) {
        if (buffered != null) {
            buffered.forEach(out::writeBytes);
            buffered = null;
            bufferedBytes = 0;
        }
    }

    /** A whole reply has arrived; its final line is {@code last} (null if it was streamed already). */
    private void replyComplete(int code, byte[] last, ByteBuf out) {
        if (code >= 100 && code < 200) {
            flushBuffered(out);
            if (last != null) {
                out.writeBytes(last);
            }
            return;
        }
        Expected head = expected.poll();
        CommandKind kind = head == null ? CommandKind.OTHER : head.kind();
        if (last != null && (kind == CommandKind.PASV && code == 227 || kind == CommandKind.EPSV && code == 229)) {
            String rewritten = rewritePassive(kind, new String(last, StandardCharsets.ISO_8859_1));
            if (rewritten.startsWith("425")) {
                buffered = null; // the whole reply becomes the 425
                bufferedBytes = 0;
            }
            flushBuffered(out);
            out.writeCharSequence(rewritten, StandardCharsets.ISO_8859_1);
        } else {
            flushBuffered(out);
            if (last != null) {
                out.writeBytes(last);
            }
        }
        afterReply(kind, code);
        emitLocalReplies(out);
    }

    private String rewritePassive(CommandKind kind, String line) {
        int upstreamPort = kind == CommandKind.PASV ? PassiveReplies.port227(line) : PassiveReplies.port229(line);
        if (upstreamPort < 0) {
            log.warn("gateway: unreadable passive reply from the server: {}", line.strip());
            return "425 Can't open data connection: the FTP server's passive reply could not be understood.\r\n";
        }
        OptionalInt leased = endpoints.lease(upstreamPort);
        if (leased.isEmpty()) {
            return "425 Can't open data connection: no passive port available on the relay.\r\n";
        }
        return kind == CommandKind.PASV
                ? PassiveReplies.rewrite227(line, config.publicAddress(), leased.getAsInt())
                : PassiveReplies.rewrite229(line, leased.getAsInt());
    }

    private void afterReply(CommandKind kind, int code) {
        if (code == 230) {
            events.loginSucceeded();
        } else if (code == 530 && (kind == CommandKind.PASS || kind == CommandKind.USER)) {
            Duration delay = events.loginFailed();
            if (!delay.isZero()) {
                delaying = true;
                ctx.executor().schedule(this::endDelay, delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        if (kind == CommandKind.AUTH) {
            if (code == 234) {
                passThrough = true;
                expected.clear();
            }
            // Client input waited for this reply: now it flows (raw after 234, parsed otherwise).
            ctx.executor().execute(this::resume);
        }
    }

    /** Local replies at the head of the queue are due now: every earlier reply has gone out. */
    private void emitLocalReplies(ByteBuf out) {
        while (!expected.isEmpty() && expected.peek().local() != null) {
            out.writeCharSequence(expected.poll().local(), StandardCharsets.ISO_8859_1);
        }
    }

    private void expectLocal(String reply) {
        expected.add(new Expected(CommandKind.OTHER, reply));
        if (expected.peek().local() != null) {
            ByteBuf out = ctx.alloc().buffer();
            emitLocalReplies(out);
            emit(out, ctx.newPromise());
            ctx.flush();
        }
    }

    private void emit(ByteBuf out, ChannelPromise promise) {
        if (delaying) {
            if (delayedOutput == null) {
                delayedOutput = ctx.alloc().buffer();
            }
            delayedOutput.writeBytes(out);
            out.release();
            promise.trySuccess();
            return;
        }
        if (out.isReadable()) {
            ctx.write(out, promise);
        } else {
            out.release();
            promise.trySuccess();
        }
    }

    private void endDelay() {
        delaying = false;
        if (delayedOutput != null) {
            ByteBuf out = delayedOutput;
            delayedOutput = null;
            ctx.writeAndFlush(out);
        }
    }
}
