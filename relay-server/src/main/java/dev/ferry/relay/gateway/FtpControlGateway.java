package dev.ferry.relay.gateway;

import com.google.protobuf.ByteString;
import dev.ferry.link.pipe.PipeFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FTP application-level gateway on a client's control connection. Inbound bytes are the
 * client's commands (toward the server); outbound writes are the server's replies (toward the
 * client). Every byte passes unchanged except:
 * <ul>
 *   <li>the final line of the reply to a PASV/EPSV this gateway forwarded: the relay's public
 *       address and a leased port (or a 425 if the reply cannot be read or no port is free);</li>
 *   <li>what the {@link CommandFilter} replaces or answers (PORT/EPRT checked and replaced);</li>
 *   <li>over-long command lines, LPSV, LPRT and CCC: answered here, never forwarded.</li>
 * </ul>
 * Urgent data from the client (the DM of a Telnet Synch, the LF of ftplib's urgent ABOR line) goes on
 * as a {@link PipeFrame.Urgent} message at its place in the stream, so the server receives it
 * urgent, as the client sent it (see {@link #forwardLine}).
 * Replies are matched to commands by a queue of expectations, never by searching the stream; local
 * replies take their place in that queue, so pipelined replies stay in command order. When the
 * filter answers AUTH itself ({@link CommandFilter#startTls}), the gateway sends the 234 in the clear,
 * puts the TLS handler in front of itself, hands it the bytes the client sent after AUTH, and reads on
 * inside TLS. When AUTH is forwarded and the server accepts it (234) nothing is parsed or changed again. The session is told it is opaque then.
 * While an AUTH reply or a deferred filter decision is pending, client input is held (up to 64 KiB,
 * then 421 and close). A client whose first byte is a TLS handshake record (implicit FTPS on a plain
 * port) is closed at once, with a TLS alert if no reply has gone out yet.
 *
 * <p>Lines are read whole up to {@code maxLineLength} bytes plus their line end (CR LF or bare LF).
 * A longer command line is answered 500 and dropped up to its LF; a longer reply line streams
 * through unchanged (and a 227/229 final line that long becomes a 425). The earlier lines of a
 * multi-line 227/229 reply are held up to {@code maxLineLength} bytes in all, so a 425 can replace
 * the whole reply (see {@link ReplyReader}). Partial reply lines are
 * held until their LF; the write that brought them succeeds at once. An empty buffer written
 * outbound flushes an unfinished reply line (the pipe writes one before it forwards the server's FIN).
 */
public final class FtpControlGateway extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(FtpControlGateway.class);
    static final String TOO_LONG = "500 Command line too long.\r\n";
    static final String FILTER_FAILED = "451 Requested action aborted: local error in processing.\r\n";
    static final String TOO_MUCH_INPUT = "421 Too much input while waiting for the server; closing.\r\n";
    static final int MAX_HELD = 64 * 1024;
    /** TLS content type of a handshake record: what an implicit-FTPS client sends first. */
    static final byte TLS_HANDSHAKE = 0x16;
    /** A fatal handshake_failure alert in a TLS record: what such a client gets if nothing was sent yet. */
    static final byte[] TLS_ALERT = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};

    private final GatewayConfig config;
    private final CommandFilter filter;
    private final SessionEvents events;
    private final LineSplitter commands;
    private final LineSplitter replies;
    private final ExpectationQueue expected;
    private final ReplyReader replyReader;
    /** Leases passive ports; asked before the server's final reply to a transfer goes out ({@link PassiveEndpoints#finalReplyDue}). */
    private final PassiveEndpoints endpoints;
    /** The server's output from a transfer's final reply on, while its data connection finishes. */
    private final HeldReplies heldReplies = new HeldReplies(MAX_HELD);
    private ChannelHandlerContext ctx;

    private boolean passThrough;
    /** Client input held while an AUTH reply or a deferred filter decision is pending. */
    private ByteBuf held;
    private boolean holding;
    private boolean discardingLongLine;
    private boolean inputEnded;
    private ByteBuf delayedOutput;
    private boolean delaying;
    private boolean inputSeen;
    private boolean repliesSeen;
    /** The last read from the client ended before filling its buffer (see {@link #channelRead}). */
    private boolean lastReadShort;
    /** The line completed next ends with the byte that started this read, right after a short read. */
    private boolean lineEndStartsRead;
    /** A 234 went (or is going) out: TLS goes in front once it has left this handler. */
    private CommandFilter.TlsStart tlsToStart;
    /** Inside channelRead or write: TLS waits until the bytes at hand are sorted. */
    private boolean busy;

    /** Passive mode only: PORT and EPRT are answered 502 here. */
    public FtpControlGateway(GatewayConfig config, PassiveEndpoints endpoints) {
        this(config, endpoints, SessionEvents.NONE, command -> CommandFilter.forward());
    }

    /** Passive and active mode for a client at {@code client}. */
    public FtpControlGateway(GatewayConfig config, DataEndpoints endpoints, SessionEvents events, InetAddress client) {
        this(config, endpoints, events, client, command -> CommandFilter.forward());
    }

    /** Passive and active mode for a client at {@code client}, with {@code first} deciding each command before the active-mode checks. */
    public FtpControlGateway(GatewayConfig config, DataEndpoints endpoints, SessionEvents events, InetAddress client,
            CommandFilter first) {
        this(config, endpoints, events,
                first.orElse(new ActiveModeFilter(endpoints, client)).orElse(new Ipv6PassiveFilter(client)));
    }

    /**
     * @param filter decides each client command first; the gateway's own refusals (LPSV, LPRT, CCC,
     *     PORT/EPRT not replaced by the filter) apply to what it forwards unchanged
     */
    public FtpControlGateway(GatewayConfig config, PassiveEndpoints endpoints, SessionEvents events,
            CommandFilter filter) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.config = Objects.requireNonNull(config, "config");
        this.filter = Objects.requireNonNull(filter, "filter").orElse(new RefusedCommands());
        this.events = Objects.requireNonNull(events, "events");
        this.commands = new LineSplitter(config.maxLineLength() + 2);
        this.replies = new LineSplitter(config.maxLineLength() + 2);
        this.expected = new ExpectationQueue(this::answeredLocally);
        this.replyReader = new ReplyReader(expected, new PassiveReplyRewriter(config.publicAddress(),
                Objects.requireNonNull(endpoints, "endpoints")), new Replies(), config.maxLineLength(),
                config.tlsFeatures() ? new TlsFeatures() : null);
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
        heldReplies.discard(new ClosedChannelException());
    }

    // ---------------------------------------------------------------- client -> server

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (passThrough || !(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!inputSeen && in.isReadable()) {
            inputSeen = true;
            if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE) {
                in.release();
                tlsOnPlainPort();
                return;
            }
        }
        // The client's socket reads urgent data inline, and Linux ends a read just before an urgent
        // byte: an LF that starts a read after a short one may be the urgent end of ftplib's ABOR line.
        lineEndStartsRead = lastReadShort && commands.holdsPartial() && in.isReadable()
                && in.getByte(in.readerIndex()) == '\n';
        lastReadShort = in.writableBytes() > 0;
        if (holding) {
            hold(in);
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        busy = true;
        try {
            commands.feed(in, (bytes, first, complete) -> {
                line(bytes, complete, out);
                lineEndStartsRead = false;
            });
            if (holding && commands.holdsPartial()) {
                holdBytes(commands.takePartial()); // parsed once the pending decision is made
            }
        } catch (RuntimeException e) {
            log.warn("gateway: cannot read input from {}, passing it through", ctx.channel().remoteAddress(), e);
            out.writeBytes(in);
        } finally {
            busy = false;
            in.release();
        }
        forward(out);
        if (tlsToStart != null && !delaying) {
            installTls();
        }
    }

    /** Implicit FTPS on a plain FTP port: no FTP reply can help a TLS client, so it is told at once. */
    private void tlsOnPlainPort() {
        log.warn("gateway: {} started a TLS handshake instead of FTP (implicit FTPS?) on a plain FTP port; closing",
                ctx.channel().remoteAddress());
        inputEnded = true;
        if (repliesSeen) {
            ctx.close();
        } else {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TLS_ALERT)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void sessionEvent(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            log.warn("gateway: session callback failed", e);
        }
    }

    private void line(byte[] bytes, boolean complete, ByteBuf out) {
        if (holding) {
            holdBytes(bytes);
        } else if (!complete || discardingLongLine) {
            // Over the limit: dropped up to its LF, answered once, never split into commands.
            discardingLongLine = !complete;
            if (complete) {
                expectLocal(TOO_LONG);
            }
        } else if (bytes.length - lineEnd(bytes) > config.maxLineLength()) {
            expectLocal(TOO_LONG);
        } else {
            command(bytes, out);
        }
    }

    private static int lineEnd(byte[] line) {
        int n = line.length;
        return n >= 2 && line[n - 1] == '\n' && line[n - 2] == '\r' ? 2 : n >= 1 && line[n - 1] == '\n' ? 1 : 0;
    }

    private void command(byte[] line, ByteBuf out) {
        sessionEvent(events::commandReceived);
        FtpCommand command = FtpCommand.parse(line);
        sessionEvent(() -> events.command(command.forLog()));
        CommandFilter.Decision decision;
        try {
            decision = filter.decide(command);
        } catch (RuntimeException e) {
            log.warn("gateway: deciding {} failed; answering 451", command.verb(), e);
            decision = CommandFilter.answer(FILTER_FAILED);
        }
        apply(command, line, decision, out);
    }

    private void apply(FtpCommand command, byte[] line, CommandFilter.Decision decision, ByteBuf out) {
        if (decision instanceof CommandFilter.Answer answer) {
            expectLocal(command, answer.reply());
            return;
        }
        if (decision instanceof CommandFilter.StartTls start) {
            holding = true; // what the client sends next is TLS: held raw until the handler is in place
            expected.local(command, start.reply(), () -> tlsDue(start.tls()), due -> {
                emit(Unpooled.copiedBuffer(due, StandardCharsets.ISO_8859_1), ctx.newPromise());
                ctx.flush();
            });
            return;
        }
        if (decision instanceof CommandFilter.Later later) {
            holding = true; // everything the client sends next waits for the decision
            later.decision().whenComplete((d, e) -> ctx.executor().execute(() -> settle(command, line, d, e)));
            return;
        }
        if (decision instanceof CommandFilter.Replace replace) {
            out.writeCharSequence(replace.line(), StandardCharsets.ISO_8859_1);
        } else {
            forwardLine(line, out, lineEndStartsRead && command.verb().equalsIgnoreCase("ABOR"));
        }
        expected.forwarded(command);
        if (command.kind() == CommandKind.AUTH) {
            holding = true; // after 234 what follows is TLS and must not be parsed
        }
    }

    /**
     * Forwards a command line as it came, with the bytes the client sent urgent marked: each goes on
     * as a {@link PipeFrame.Urgent} message that starts with it and holds the rest of the line up to
     * the next urgent byte, so the agent sends it urgent with what followed it right after, as the
     * client did. The urgent mark itself is not visible once a byte is read inline; two places are
     * known to hold one: the DM of a Telnet Synch among the line's leading Telnet commands (RFC 959
     * 4.1.3), and the LF of an ABOR line that started a read right after a short read
     * ({@code urgentEnd}: Python's {@code FTP.abort()} sends the whole line urgent, and Linux ends a
     * read just before the urgent byte).
     */
    private void forwardLine(byte[] line, ByteBuf out, boolean urgentEnd) {
        int[] marks = FtpCommand.synchMarks(line);
        if (urgentEnd && line.length > 0 && line[line.length - 1] == '\n') {
            marks = java.util.Arrays.copyOf(marks, marks.length + 1);
            marks[marks.length - 1] = line.length - 1;
        }
        if (marks.length == 0) {
            out.writeBytes(line);
            return;
        }
        out.writeBytes(line, 0, marks[0]);
        ByteBuf before = ctx.alloc().buffer(out.readableBytes()).writeBytes(out);
        out.clear();
        forward(before);
        for (int i = 0; i < marks.length; i++) {
            int end = i + 1 < marks.length ? marks[i + 1] : line.length;
            ctx.fireChannelRead(new PipeFrame.Urgent(ByteString.copyFrom(line, marks[i], end - marks[i])));
        }
    }

    private void settle(FtpCommand command, byte[] line, CommandFilter.Decision decision, Throwable error) {
        if (!ctx.channel().isOpen() || ctx.isRemoved()) {
            return;
        }
        if (error != null || decision == null || decision instanceof CommandFilter.Later) {
            log.warn("gateway: deciding {} failed ({}); answering 451", command.verb(), error != null ? error : decision);
            decision = CommandFilter.answer(FILTER_FAILED);
        }
        holding = false;
        ByteBuf out = ctx.alloc().buffer();
        apply(command, line, decision, out);
        forward(out);
        if (!holding) {
            resume();
        }
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
        if (inputEnded && !holding) {
            finishInput();
        }
    }

    private void hold(ByteBuf in) {
        try {
            held().writeBytes(in);
        } finally {
            in.release();
        }
        checkHeld();
    }

    private void holdBytes(byte[] bytes) {
        held().writeBytes(bytes);
        checkHeld();
    }

    private ByteBuf held() {
        if (held == null) {
            held = ctx.alloc().buffer();
        }
        return held;
    }

    /** A client that keeps sending while the relay waits for the server is cut off, not buffered. */
    private void checkHeld() {
        if (held.readableBytes() > MAX_HELD) {
            log.warn("gateway: {} sent over {} bytes while a reply was pending; closing",
                    ctx.channel().remoteAddress(), MAX_HELD);
            releaseHeld();
            sessionEvent(events::tooMuchInput);
            ctx.writeAndFlush(Unpooled.copiedBuffer(TOO_MUCH_INPUT, StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
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
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            if (!holding) {
                finishInput();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The client half-closed: an unfinished last line is read as a command (so a PORT cannot slip
     * through unchecked) and, if forwarded, goes on as it was sent, without a line end.
     */
    private void finishInput() {
        if (passThrough || !commands.holdsPartial()) {
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        try {
            line(commands.takePartial(), true, out);
        } catch (RuntimeException e) {
            log.warn("gateway: cannot read the last input from {}", ctx.channel().remoteAddress(), e);
        }
        forward(out);
    }

    // ---------------------------------------------------------------- server -> client

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        repliesSeen |= msg instanceof ByteBuf b && b.isReadable();
        if (passThrough || !(msg instanceof ByteBuf in)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        LineSplitter.Sink sink = (bytes, first, complete) -> serverPiece(bytes, first, complete, out);
        busy = true;
        try {
            if (in.isReadable()) {
                replies.feed(in, sink);
            } else {
                replies.flushPartial(sink);
            }
            if (passThrough && replies.holdsPartial()) {
                out.writeBytes(replies.takePartial()); // after 234, in the same write
            }
        } catch (RuntimeException e) {
            log.warn("gateway: cannot read the server's reply, passing it through", e);
            out.writeBytes(in);
        } finally {
            busy = false;
            in.release();
        }
        if (heldReplies.holding()) {
            heldReplies.defer(promise);
            emit(out, ctx.newPromise());
        } else {
            emitReleasing(out, promise, heldReplies.takePromises());
        }
        if (tlsToStart != null && !delaying) {
            installTls();
        }
    }

    /**
     * One piece of the server's output. The first line of the final reply to a transfer (after its
     * 1xx) is where the session may hold the output until the transfer's data connection is done.
     */
    private void serverPiece(byte[] bytes, boolean first, boolean complete, ByteBuf out) {
        if (!heldReplies.holding() && first && replyReader.awaitsTransferOutcome()) {
            int code = FtpReplyAssembler.code(bytes);
            if (code >= 200) {
                awaitDataConnection(code);
            }
        }
        if (!heldReplies.holding()) {
            reply(bytes, first, complete, out);
        } else if (!heldReplies.add(bytes, first, complete)) {
            log.warn("gateway: the FTP server sent over {} bytes after a transfer's final reply while its data "
                    + "connection was finishing; letting them go", MAX_HELD);
            heldReplies.release().forEach(p -> reply(p.bytes(), p.first(), p.complete(), out));
        }
    }

    /** Asks the session whether the final reply waits; holds the output from here on if it does. */
    private void awaitDataConnection(int code) {
        CompletionStage<String> due;
        try {
            due = endpoints.finalReplyDue(code);
        } catch (RuntimeException e) {
            log.warn("gateway: session callback failed", e);
            return;
        }
        if (due == null) {
            return;
        }
        CompletableFuture<String> now = due.toCompletableFuture();
        if (now.isDone()) {
            replaceOutcome(now.isCompletedExceptionally() ? null : now.join());
            return;
        }
        int hold = heldReplies.start();
        due.whenComplete((replacement, error) -> ctx.executor().execute(
                () -> releaseReplies(hold, error == null ? replacement : null)));
    }

    private void replaceOutcome(String replacement) {
        if (replacement != null) {
            replyReader.replaceTransferOutcome(replacement);
        }
    }

    /** The transfer's data connection is done: the held output goes out (its final reply replaced if told). */
    private void releaseReplies(int hold, String replacement) {
        if (!heldReplies.holding(hold)) {
            return; // let go already (too much of it), and perhaps holding for a later transfer
        }
        if (ctx.isRemoved() || !ctx.channel().isOpen()) {
            heldReplies.discard(new ClosedChannelException());
            return;
        }
        replaceOutcome(replacement);
        List<HeldReplies.Piece> pieces = heldReplies.release();
        ByteBuf out = ctx.alloc().buffer();
        for (int i = 0; i < pieces.size(); i++) {
            HeldReplies.Piece p = pieces.get(i);
            if (i == 0) {
                reply(p.bytes(), p.first(), p.complete(), out); // the reply this hold was for
            } else {
                serverPiece(p.bytes(), p.first(), p.complete(), out); // a later transfer's may hold again
            }
        }
        emitReleasing(out, ctx.newPromise(), heldReplies.holding() ? List.of() : heldReplies.takePromises());
        ctx.flush();
    }

    /** Emits {@code out} with {@code promise}; the writes that waited for it succeed or fail with it. */
    private void emitReleasing(ByteBuf out, ChannelPromise promise, List<ChannelPromise> waiting) {
        if (waiting.isEmpty()) {
            emit(out, promise);
            return;
        }
        ChannelPromise all = ctx.newPromise();
        all.addListener(f -> {
            for (ChannelPromise w : waiting) {
                if (f.isSuccess()) {
                    w.trySuccess();
                } else {
                    w.tryFailure(f.cause());
                }
            }
            if (f.isSuccess()) {
                promise.trySuccess();
            } else {
                promise.tryFailure(f.cause());
            }
        });
        emit(out, all);
    }

    private void reply(byte[] bytes, boolean first, boolean complete, ByteBuf out) {
        if (passThrough) {
            out.writeBytes(bytes);
            return;
        }
        try {
            replyReader.piece(bytes, first, complete, out);
        } catch (RuntimeException e) {
            log.warn("gateway: cannot read a reply line, passing it through", e);
            out.writeBytes(bytes);
        }
    }

    private void afterReply(CommandKind kind, int code) {
        try {
            if (code == 230) {
                events.loginSucceeded();
            } else if (code == 530 && (kind == CommandKind.PASS || kind == CommandKind.USER)) {
                Duration delay = events.loginFailed();
                if (delay != null && !delay.isZero() && !delay.isNegative()) {
                    delaying = true;
                    ctx.executor().schedule(this::endDelay, delay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (RuntimeException e) {
            log.warn("gateway: session callback failed", e);
        }
        if (kind == CommandKind.AUTH) {
            if (code == 234) {
                passThrough = true;
                expected.clear();
                sessionEvent(events::sessionOpaque);
            }
            // Client input waited for this reply: now it flows (raw after 234, parsed otherwise).
            ctx.executor().execute(this::resume);
        }
    }

    /** Queues a local reply; it goes out now if every earlier reply has. */
    private void expectLocal(String reply) {
        expectLocal(null, reply);
    }

    /** Queues a local reply to {@code command}; it goes out now if every earlier reply has. */
    private void expectLocal(FtpCommand command, String reply) {
        expected.local(command, reply, null, due -> {
            emit(Unpooled.copiedBuffer(due, StandardCharsets.ISO_8859_1), ctx.newPromise());
            ctx.flush();
        });
    }

    /** A local reply went out: the session hears of it as of any final reply. */
    private void answeredLocally(FtpCommand command, String reply) {
        int code = ReplyCodes.code(reply);
        if (code >= 200) {
            sessionEvent(() -> events.answered(command, code, ReplyCodes.lastLine(reply)));
        }
    }

    /** What the reply reader tells: the gateway's own reaction, then the session's events. */
    private final class Replies implements ReplyReader.Listener {
        @Override
        public void replied(CommandKind kind, int code) {
            afterReply(kind, code);
        }

        @Override
        public void preliminary(FtpCommand command, int code) {
            sessionEvent(() -> events.started(command, code));
        }

        @Override
        public void answered(FtpCommand command, int code, String text) {
            sessionEvent(() -> events.answered(command, code, text));
        }

        @Override
        public void rewritten(CommandKind kind) {
            sessionEvent(() -> events.passiveRewritten(kind));
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
        if (tlsToStart != null) {
            installTls();
        }
    }

    /**
     * The relay refused the data connection of the transfer under way (e.g. TLS without the required
     * session reuse): the client gets {@code reply} (whole lines, CR LF) as the transfer's outcome
     * instead of whatever the server says. Call on the event loop; false if no transfer is under way.
     */
    public boolean refuseTransfer(String reply) {
        new CommandFilter.Answer(reply); // same rules
        return replyReader.replaceTransferOutcome(reply);
    }

    /**
     * True while a command awaits its reply (a transfer runs until its final reply) or client input
     * waits for a decision. Call on the event loop.
     */
    public boolean awaitingReply() {
        return !passThrough && (holding || expected.size() > 0 || replyReader.transferUnderWay());
    }

    // ---------------------------------------------------------------- TLS after AUTH

    private void tlsDue(CommandFilter.TlsStart tls) {
        tlsToStart = tls;
        if (!busy && !delaying) {
            installTls(); // the 234 has left this handler (written toward the socket, in the clear)
        }
    }

    /** Puts TLS in front of the gateway and feeds it what the client sent after AUTH. */
    private void installTls() {
        CommandFilter.TlsStart tls = tlsToStart;
        tlsToStart = null;
        ctx.flush();
        io.netty.channel.ChannelHandler handler;
        try {
            handler = tls.handler(ctx.channel());
        } catch (RuntimeException e) {
            log.warn("gateway: cannot start TLS for {}; closing", ctx.channel().remoteAddress(), e);
            releaseHeld();
            ctx.close();
            return;
        }
        ctx.pipeline().addBefore(ctx.name(), null, handler);
        holding = false;
        ByteBuf pending = held;
        held = null;
        if (pending != null) {
            io.netty.channel.ChannelHandlerContext before = contextBefore(handler);
            if (before == null) {
                ctx.pipeline().fireChannelRead(pending).fireChannelReadComplete();
            } else {
                before.fireChannelRead(pending).fireChannelReadComplete();
            }
        }
    }

    private io.netty.channel.ChannelHandlerContext contextBefore(io.netty.channel.ChannelHandler handler) {
        String previous = null;
        for (java.util.Map.Entry<String, io.netty.channel.ChannelHandler> e : ctx.pipeline()) {
            if (e.getValue() == handler) {
                return previous == null ? null : ctx.pipeline().context(previous);
            }
            previous = e.getKey();
        }
        return null;
    }
}
