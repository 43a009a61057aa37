package dev.ferry.relay.ftps;

import dev.ferry.link.pipe.SocketPipe;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on a data connection after {@code PROT P}: the relay is the TLS server (RFC 4217, passive and
 * active mode alike), with the control connection's context so the client can resume its session.
 * A connection whose handshake fails (a plaintext client, a deadline, an alert), or that does not
 * resume the control session when the tunnel requires it, is reset: the FTP server behind sees its
 * data connection reset and fails the transfer (425/426). The pipe that joins the connection to
 * the agent closes TLS with close_notify before its FIN; the client's close_notify counts as its FIN.
 */
public final class DataTls {
    private static final Logger log = LoggerFactory.getLogger(DataTls.class);

    private DataTls() {
    }

    /** Puts TLS (and its guard) on a fresh data connection; call before the pipe is attached. */
    public static void protect(Channel data, FtpsSession session, FtpsContexts contexts, String label) {
        SslHandler tls = contexts.serverHandler(session.context(), data.alloc());
        data.pipeline().addLast(tls, new Guard(session, label));
    }

    /** Resets the connection if its handshake fails or it must resume and does not. */
    private static final class Guard extends ChannelInboundHandlerAdapter {
        private final FtpsSession session;
        private final String label;
        private boolean admitted;
        private boolean refused;

        Guard(FtpsSession session, String label) {
            this.session = session;
            this.label = label;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (!done.isSuccess()) {
                    refuse(ctx, "TLS handshake failed: " + done.cause());
                    return;
                }
                if (session.policy().requireReuse()) {
                    SSLSession data = ctx.pipeline().get(SslHandler.class).engine().getSession();
                    Optional<SSLSession> control = session.controlSession();
                    if (control.isEmpty() || !TlsResumption.resumes(data, control.get())) {
                        refuse(ctx, "TLS session does not resume the control connection's (--require-tls-reuse)");
                        return;
                    }
                }
                admitted = true;
            }
            super.userEventTriggered(ctx, evt);
            if (evt instanceof SslCloseCompletionEvent closed && closed.isSuccess() && admitted && !refused) {
                // The client's close_notify ends its side as a FIN would; clients that wait for ours
                // before closing TCP (Python's unwrap()) get it once the server's side ends too.
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!admitted || refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!admitted) {
                refuse(ctx, "TLS failed: " + cause);
                return;
            }
            ctx.fireExceptionCaught(cause);
        }

        private void refuse(ChannelHandlerContext ctx, String reason) {
            if (refused) {
                return;
            }
            refused = true;
            log.warn("{}: refused: {}", label, reason);
            SocketPipe.resetChannel(ctx.channel());
        }
    }
}
