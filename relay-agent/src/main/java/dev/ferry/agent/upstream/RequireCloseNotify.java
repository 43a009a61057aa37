package dev.ferry.agent.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLException;

/**
 * On a protected data connection, the server's FIN counts as the end of the data only after its TLS
 * {@code close_notify}; a FIN without one becomes a failure (an Abort to the relay, an RST to the
 * client), so a cut transfer never looks complete.
 */
final class RequireCloseNotify extends ChannelInboundHandlerAdapter {
    private final SslHandler tls;

    RequireCloseNotify(SslHandler tls) {
        this.tls = tls;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !tls.engine().isInboundDone()) {
            ctx.fireExceptionCaught(new SSLException("the FTP server ended the data connection without TLS close_notify"));
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
