package dev.ferry.agent.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLException;

/**
 * On a protected data connection, the server's TLS {@code close_notify} is the end of the data: it
 * travels on as a FIN at once (vsftpd keeps the TCP connection open until the peer's own
 * {@code close_notify} arrives, which the agent sends when the relay's FIN comes back). A TCP FIN
 * without a {@code close_notify} before it becomes a failure (an Abort to the relay, an RST to the
 * client), so a cut transfer never looks complete.
 */
final class CloseNotifyEndsData extends ChannelInboundHandlerAdapter {
    private final SslHandler tls;

    CloseNotifyEndsData(SslHandler tls) {
        this.tls = tls;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslCloseCompletionEvent closed) {
            if (closed.isSuccess()) {
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent && !tls.engine().isInboundDone()) {
            ctx.fireExceptionCaught(new SSLException("the FTP server ended the data connection without TLS close_notify"));
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
