package dev.ferry.agent.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Upgrades a fresh upstream control connection to FTPS before the relay sees it (RFC 4217): reads the
 * server's greeting, sends {@code AUTH TLS} (234), makes the TLS handshake, then {@code PBSZ 0} (200)
 * and {@code PROT P} (200), and hands back the greeting, which the relay then receives as if the
 * server had just sent it. Any other answer, a closed connection or the deadline ends it with a
 * reason for the relay. Runs with {@code autoRead} off and reads only while it waits for a reply.
 */
final class UpstreamTlsUpgrade extends ChannelInboundHandlerAdapter {
    /** What the upgrade tells its owner, exactly once, on the channel's event loop. */
    interface Outcome {
        /** The connection is protected; {@code greeting} (owned by the callee) is what to pass on first. */
        void upgraded(ByteBuf greeting);

        /** The connection is closed; {@code reason} says what the server did. */
        void failed(String reason);
    }

    private enum Step { GREETING, AUTH, HANDSHAKE, PBSZ, PROT, DONE }

    private final Function<ChannelHandlerContext, Future<Channel>> startTls;
    private final Duration deadline;
    private final Outcome outcome;
    private final UpstreamReply reply = new UpstreamReply();
    private final ByteBuf greeting = Unpooled.buffer();
    private Step step = Step.GREETING;
    private ScheduledFuture<?> timer;

    /**
     * @param startTls puts the TLS client handler in front of this one and returns its handshake
     * @param deadline for the whole exchange, from now
     */
    UpstreamTlsUpgrade(Function<ChannelHandlerContext, Future<Channel>> startTls, Duration deadline, Outcome outcome) {
        this.startTls = startTls;
        this.deadline = deadline;
        this.outcome = outcome;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> fail(ctx, "the FTP server did not finish the TLS upgrade within "
                + deadline.toSeconds() + " s (at " + step + ")"), deadline.toMillis(), TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (step == Step.DONE) {
                return;
            }
            if (step == Step.HANDSHAKE) {
                fail(ctx, "the FTP server sent data during the TLS handshake");
                return;
            }
            reply.add(in);
            for (UpstreamReply.Reply r = reply.poll(); r != null && step != Step.DONE; r = reply.poll()) {
                onReply(ctx, r);
            }
        } catch (IllegalStateException e) {
            fail(ctx, e.getMessage());
        } finally {
            ReferenceCountUtil.release(in);
        }
    }

    private void onReply(ChannelHandlerContext ctx, UpstreamReply.Reply r) {
        switch (step) {
            case GREETING -> {
                if (r.preliminary() || r.code() == 220) {
                    greeting.writeBytes(r.bytes());
                }
                if (r.code() == 220) {
                    send(ctx, "AUTH TLS", Step.AUTH);
                } else if (!r.preliminary()) {
                    fail(ctx, "the FTP server refused the connection: " + r.firstLine());
                }
            }
            case AUTH -> {
                if (r.code() != 234) {
                    fail(ctx, "upstream refused AUTH TLS: " + r.firstLine());
                    return;
                }
                ByteBuf extra = reply.rest();
                boolean clean = !extra.isReadable();
                extra.release();
                if (!clean) {
                    fail(ctx, "the FTP server sent data after 234, before the TLS handshake");
                    return;
                }
                step = Step.HANDSHAKE;
                startTls.apply(ctx).addListener(f -> {
                    if (f.isSuccess()) {
                        send(ctx, "PBSZ 0", Step.PBSZ);
                        ctx.read();
                    } else {
                        fail(ctx, "TLS handshake with the FTP server failed: " + UpstreamTls.describe(f.cause()));
                    }
                });
            }
            case PBSZ -> {
                if (r.code() != 200) {
                    fail(ctx, "upstream refused PBSZ 0: " + r.firstLine());
                } else {
                    send(ctx, "PROT P", Step.PROT);
                }
            }
            case PROT -> {
                if (r.code() != 200) {
                    fail(ctx, "upstream refused PROT P: " + r.firstLine());
                } else {
                    succeed(ctx);
                }
            }
            default -> throw new IllegalStateException("reply in step " + step);
        }
    }

    private void send(ChannelHandlerContext ctx, String command, Step next) {
        step = next;
        ctx.writeAndFlush(Unpooled.copiedBuffer(command + "\r\n", StandardCharsets.US_ASCII));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (step != Step.DONE && step != Step.HANDSHAKE) {
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "the FTP server closed the connection during the TLS upgrade (at " + step + ")");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, (step == Step.HANDSHAKE ? "TLS handshake with the FTP server failed: " : "connection to the FTP server failed: ")
                + UpstreamTls.describe(cause));
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        reply.release();
        if (step != Step.DONE) {
            greeting.release();
        }
    }

    private void succeed(ChannelHandlerContext ctx) {
        step = Step.DONE;
        ByteBuf rest = reply.rest();
        greeting.writeBytes(rest);
        rest.release();
        ctx.pipeline().remove(this);
        outcome.upgraded(greeting);
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (step == Step.DONE) {
            return;
        }
        step = Step.DONE;
        greeting.release();
        ctx.channel().close();
        outcome.failed(reason);
    }
}
