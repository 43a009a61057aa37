package dev.ferry.relay.ftps;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Mapping;
import io.netty.util.concurrent.Promise;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;

/**
 * Server-side TLS whose certificate the client's SNI picks: a tunnel's domain gets the tunnel's
 * context, no name gets the fallback, and any other name gets a fatal {@code unrecognized_name}
 * alert (the JDK sends it when no {@link SNIMatcher} accepts the name). See {@link FtpsContexts#sniHandler}.
 */
public final class SniTls extends SniHandler {
    private static final int MAX_CLIENT_HELLO = 64 * 1024;
    private static final SNIMatcher NOTHING = new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
        @Override
        public boolean matches(SNIServerName serverName) {
            return false;
        }
    };

    private final FtpsContexts contexts;
    private final Predicate<String> isTunnel;
    private final Promise<FtpsContexts.ControlTls> result;
    private final boolean refuseUnknown;

    /**
     * @param refuseUnknown whether a name that is no tunnel gets the alert; if not, it gets the fallback
     *     and completes {@code result} as if no name was sent (the shared port, where HOST or USER may name the tunnel)
     */
    SniTls(FtpsContexts contexts, Predicate<String> isTunnel, Promise<FtpsContexts.ControlTls> result,
            boolean refuseUnknown) {
        super(mapping(contexts, isTunnel), MAX_CLIENT_HELLO, contexts.handshakeTimeout().toMillis());
        this.contexts = contexts;
        this.isTunnel = isTunnel;
        this.result = result;
        this.refuseUnknown = refuseUnknown;
    }

    private static Mapping<String, SslContext> mapping(FtpsContexts contexts, Predicate<String> isTunnel) {
        return host -> {
            String name = host == null ? null : FtpsContexts.normalize(host);
            return name != null && isTunnel.test(name) ? contexts.forTunnel(name) : contexts.fallback();
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().closeFuture().addListener(f ->
                result.tryFailure(new SSLException("connection closed before the TLS handshake finished")));
        super.handlerAdded(ctx);
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) {
        String name = hostname == null ? null : FtpsContexts.normalize(hostname);
        boolean known = name == null || isTunnel.test(name);
        SslHandler tls = contexts.serverHandler(sslContext, ctx.alloc());
        if (!known && refuseUnknown) {
            SSLParameters parameters = tls.engine().getSSLParameters();
            parameters.setSNIMatchers(List.of(NOTHING));
            tls.engine().setSSLParameters(parameters);
        }
        tls.handshakeFuture().addListener(f -> {
            if (f.isSuccess() && (known || !refuseUnknown)) {
                result.trySuccess(new FtpsContexts.ControlTls(known ? Optional.ofNullable(name) : Optional.empty(),
                        sslContext, tls));
            } else {
                result.tryFailure(f.cause() != null ? f.cause() : new SSLException("unrecognized server name " + name));
            }
        });
        ctx.pipeline().replace(this, null, tls);
    }
}
