package dev.ferry.relay.ftps;

import dev.ferry.link.pipe.SocketPipe;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on a data connection after {@code PROT P}: the relay is the TLS server (RFC 4217, passive and
 * active mode alike), with the control connection's context so the client can resume its session.
 * A connection whose handshake fails (a plaintext client, the deadline, an alert), or that does not
 * resume the control session when the tunnel requires it, is reset and the transfer's outcome becomes
 * a 425. The pipe that joins the connection to the agent closes TLS with close_notify before its FIN;
 * the client's close_notify counts as its FIN. What the client sends after the handshake and before
 * the pipe is attached waits here (at most one read: the channel reads only when asked).
 */
public final class DataTls {
    private static final Logger log = LoggerFactory.getLogger(DataTls.class);
    static final String NOT_TLS = "425 Data connection refused: after PROT P it must use TLS.\r\n";
    static final String NOT_RESUMED = "425 Data connection refused: TLS session reuse required "
            + "(resume the control connection's session).\r\n";

    /** What becomes of a protected data connection; called on its event loop. */
    public interface Outcome {
        /** The handshake succeeded (and resumed the control session where required). */
        void admitted();

        /** The connection was refused and reset; {@code reply} is the transfer's outcome for the client. */
        void refused(String reply);
    }

    private DataTls() {
    }

    /** Puts TLS (and its guard) on a fresh data connection and starts reading its handshake. */
    public static void protect(Channel data, FtpsSession session, FtpsContexts contexts, String label, Outcome outcome) {
        data.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        SslHandler tls = contexts.serverHandler(session.context(), data.alloc());
        data.pipeline().addLast(tls, new Guard(session, label, outcome));
        data.pipeline().context(tls).read(); // from TLS on: the guard sees only the pipe's reads
    }

    /** Convenience for callers that only need to know about a refusal. */
    public static void protect(Channel data, FtpsSession session, FtpsContexts contexts, String label,
            Consumer<String> refused) {
        protect(data, session, contexts, label, new Outcome() {
            @Override
            public void admitted() {
            }

            @Override
            public void refused(String reply) {
                refused.accept(reply);
            }
        });
    }

    /**
     * Admits or resets the connection; holds what arrives (decrypted) until the pipe's first read
     * passes it, as {@link dev.ferry.link.pipe.EarlyInput} does for plain connections: handlers added
     * after it (the session's byte counter) must not make it let go.
     */
    private static final class Guard extends ChannelDuplexHandler {
        private final FtpsSession session;
        private final String label;
        private final Outcome outcome;
        private final Queue<Object> held = new ArrayDeque<>();
        private boolean admitted;
        private boolean refused;
        /** The pipe has asked to read: what arrives goes on at once. */
        private boolean piped;

        Guard(FtpsSession session, String label, Outcome outcome) {
            this.session = session;
            this.label = label;
            this.outcome = outcome;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                handshakeDone(ctx, done);
                return;
            }
            if (evt instanceof SslCloseCompletionEvent closed && closed.isSuccess() && admitted && !refused) {
                // The client's close_notify ends its side as a FIN would; clients that wait for ours
                // before closing TCP (Python's unwrap()) get it once the server's side ends too.
                deliver(ctx, ChannelInputShutdownEvent.INSTANCE);
                return;
            }
            if (evt instanceof ChannelInputShutdownEvent) {
                deliver(ctx, evt);
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void handshakeDone(ChannelHandlerContext ctx, SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                refuse(ctx, "TLS handshake failed: " + done.cause(), NOT_TLS);
                return;
            }
            if (session.policy().requireReuse()) {
                SSLSession data = ctx.pipeline().get(SslHandler.class).engine().getSession();
                Optional<SSLSession> control = session.controlSession();
                if (control.isEmpty() || !TlsResumption.resumes(data, control.get())) {
                    refuse(ctx, "TLS session does not resume the control connection's (--require-tls-reuse): "
                            + TlsResumption.describe(data) + " vs control "
                            + control.map(TlsResumption::describe).orElse("none"), NOT_RESUMED);
                    return;
                }
            }
            admitted = true;
            outcome.admitted();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!admitted || refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            deliver(ctx, msg);
        }

        /** Passes an inbound message or event on, or holds it until the pipe has asked to read. */
        private void deliver(ChannelHandlerContext ctx, Object msg) {
            if (!piped) {
                held.add(msg);
                return;
            }
            releaseHeld(ctx);
            fire(ctx, msg);
        }

        private static void fire(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ChannelInputShutdownEvent) {
                ctx.fireUserEventTriggered(msg);
            } else {
                ctx.fireChannelRead(msg);
                ctx.fireChannelReadComplete();
            }
        }

        private void releaseHeld(ChannelHandlerContext ctx) {
            while (!held.isEmpty()) {
                fire(ctx, held.poll());
            }
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            piped = true;
            if (!held.isEmpty()) {
                releaseHeld(ctx); // the pipe asks for its first bytes: they are already here
                return;
            }
            ctx.read();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!admitted) {
                refuse(ctx, "TLS failed: " + cause, NOT_TLS);
                return;
            }
            ctx.fireExceptionCaught(cause);
        }

        private void refuse(ChannelHandlerContext ctx, String reason, String reply) {
            if (refused) {
                return;
            }
            refused = true;
            log.warn("{}: refused: {}", label, reason);
            SocketPipe.resetChannel(ctx.channel());
            outcome.refused(reply);
        }
    }
}
