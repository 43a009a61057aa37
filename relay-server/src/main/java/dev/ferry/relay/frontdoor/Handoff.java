package dev.ferry.relay.frontdoor;

import dev.ferry.relay.gateway.FtpReplyAssembler;
import dev.ferry.relay.gateway.LineSplitter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a client the relay has already greeted to the FTP server's conversation. It sits in front
 * of the gateway: inbound bytes are the client's commands before the gateway reads them, outbound
 * writes are the replies the gateway lets out (the server's, rewritten, and its own), so the
 * gateway sees the whole conversation, greeting and replays included. It
 * <ol>
 *   <li>drops the server's greeting (multi-line, after any {@code 120}); a greeting that is not
 *       {@code 2xx} (a {@code 421}) goes to the client as the answer to its next command;</li>
 *   <li>sends {@code beforeLogin} (e.g. {@code OPTS UTF8 ON}), drops their replies, and only then
 *       lets the client's commands through;</li>
 *   <li>once the server has answered {@code 230} and every client command has its reply, sends
 *       {@code afterLogin} (e.g. {@code TYPE I}, which servers refuse before login) the same way;</li>
 * </ol>
 * and then passes every byte untouched. While it waits for a reply of its own, client input is
 * held (up to {@value #MAX_HELD} bytes, then {@code 421}), the client's half-close with it.
 */
final class Handoff extends ChannelDuplexHandler {
    static final int MAX_HELD = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(Handoff.class);

    private enum State { GREETING, REPLAYING, WATCHING, PASSING }

    private final Deque<String> beforeLogin;
    private final Deque<String> afterLogin;
    private final String label;
    private final LineSplitter replies = new LineSplitter(4096 + 2);
    private final FtpReplyAssembler assembler = new FtpReplyAssembler();
    private final List<byte[]> greeting = new ArrayList<>();
    private ChannelHandlerContext ctx;
    private State state = State.GREETING;
    private int replaysOwed;
    private int clientCommandsOwed;
    private boolean loggedIn;
    private ByteBuf held;
    private Object heldEvent;

    /** @param beforeLogin and {@code afterLogin}: whole command lines with CR LF */
    Handoff(List<String> beforeLogin, List<String> afterLogin, String label) {
        this.beforeLogin = new ArrayDeque<>(beforeLogin);
        this.afterLogin = new ArrayDeque<>(afterLogin);
        this.label = label;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    // ---------------------------------------------------------------- client -> server

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.PASSING || !(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.GREETING || state == State.REPLAYING) {
            hold(in);
            return;
        }
        clientCommandsOwed += lines(in);
        ctx.fireChannelRead(in);
    }

    private static int lines(ByteBuf in) {
        int n = 0;
        for (int i = in.readerIndex(); i < in.writerIndex(); i++) {
            if (in.getByte(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent
                && (state == State.GREETING || state == State.REPLAYING)) {
            heldEvent = evt; // the client's FIN must not overtake its held commands
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void hold(ByteBuf in) {
        try {
            if (held == null) {
                held = ctx.alloc().buffer();
            }
            held.writeBytes(in);
        } finally {
            in.release();
        }
        if (held.readableBytes() > MAX_HELD) {
            log.warn("{}: client sent over {} bytes while the relay set up the session; closing", label, MAX_HELD);
            held.release();
            held = null;
            ctx.writeAndFlush(Unpooled.copiedBuffer("421 Too much input while the session is set up; closing.\r\n",
                    StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void releaseHeld() {
        ByteBuf pending = held;
        held = null;
        if (pending != null) {
            channelRead(ctx, pending);
        }
        Object evt = heldEvent;
        heldEvent = null;
        if (evt != null) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    // ---------------------------------------------------------------- server -> client

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (state == State.PASSING || !(msg instanceof ByteBuf in)) {
            ctx.write(msg, promise);
            return;
        }
        if (state == State.WATCHING) {
            replies.feed(in.duplicate(), this::watch);
            ctx.write(in, promise);
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        try {
            replies.feed(in, (bytes, first, complete) -> dropOrPass(bytes, first, complete, out));
        } finally {
            in.release();
        }
        if (out.isReadable()) {
            ctx.write(out, promise);
        } else {
            out.release();
            promise.trySuccess();
        }
    }

    private void dropOrPass(byte[] bytes, boolean first, boolean complete, ByteBuf out) {
        if (state == State.WATCHING || state == State.PASSING) {
            out.writeBytes(bytes);
            if (state == State.WATCHING) {
                watch(bytes, first, complete);
            }
            return;
        }
        FtpReplyAssembler.Piece piece = assembler.next(bytes, first, complete);
        if (state == State.GREETING) {
            greeting.add(bytes);
        }
        if (!piece.endsReply() || piece.code() < 200) {
            return;
        }
        if (state == State.GREETING) {
            if (piece.code() >= 300) {
                log.info("{}: the FTP server greeted with {}; passing it to the client", label, piece.code());
                greeting.forEach(out::writeBytes);
                state = State.PASSING;
                releaseHeld();
                return;
            }
            greeting.clear();
            replay(beforeLogin);
        } else if (--replaysOwed == 0) {
            if (piece.code() >= 400) {
                log.info("{}: the FTP server refused a replayed command ({})", label, piece.code());
            }
            afterReplays();
        }
    }

    private void watch(byte[] bytes, boolean first, boolean complete) {
        FtpReplyAssembler.Piece piece = assembler.next(bytes, first, complete);
        if (!piece.endsReply() || piece.code() < 200) {
            return;
        }
        clientCommandsOwed = Math.max(0, clientCommandsOwed - 1);
        loggedIn |= piece.code() == 230;
        if (loggedIn && clientCommandsOwed == 0) {
            replay(afterLogin);
        }
    }

    /** Sends {@code commands} to the server (the rest of the reply in hand goes to the client first). */
    private void replay(Deque<String> commands) {
        if (commands.isEmpty()) {
            afterReplays();
            return;
        }
        state = State.REPLAYING;
        StringBuilder lines = new StringBuilder();
        while (!commands.isEmpty()) {
            lines.append(commands.poll());
            replaysOwed++;
        }
        log.debug("{}: replaying {}", label, lines.toString().trim().replace("\r\n", "; "));
        ctx.fireChannelRead(Unpooled.copiedBuffer(lines, StandardCharsets.ISO_8859_1));
    }

    private void afterReplays() {
        state = afterLogin.isEmpty() ? State.PASSING : State.WATCHING;
        releaseHeld();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ReferenceCountUtil.release(held);
        held = null;
        ctx.fireChannelInactive();
    }
}
