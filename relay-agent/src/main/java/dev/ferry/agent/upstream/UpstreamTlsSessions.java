package dev.ferry.agent.upstream;

import com.google.protobuf.ByteString;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS session of each upstream control connection that is open, by the relay's stream id, so
 * the FTP session's data connections (which name that id) resume it.
 */
public final class UpstreamTlsSessions {
    private static final Logger log = LoggerFactory.getLogger(UpstreamTlsSessions.class);

    private final UpstreamTls tls;
    private final String host;
    private final int port;
    private final Map<ByteString, UpstreamTls.Session> open = new ConcurrentHashMap<>();

    /** For the server at {@code host} (a name, sent as SNI, or an address) and control port {@code port}. */
    public UpstreamTlsSessions(UpstreamTls tls, String host, int port) {
        this.tls = tls;
        this.host = host;
        this.port = port;
    }

    /** A fresh session for a new control connection; forgotten when {@code control} closes. */
    UpstreamTls.Session startControl(ByteString streamId, Channel control) {
        UpstreamTls.Session session = tls.newSession(host, port);
        open.put(streamId, session);
        control.closeFuture().addListener(f -> open.remove(streamId));
        return session;
    }

    /**
     * Makes {@code data} (connected, not yet attached) a TLS client connection in the FTP session
     * whose control connection is {@code controlStreamId}, resuming that connection's TLS session.
     */
    void protectData(Channel data, ByteString controlStreamId, String label) {
        SslHandler handler = forData(controlStreamId, label).newHandler();
        data.pipeline().addLast("tls", handler);
        data.pipeline().addLast(new CloseNotifyEndsData(handler));
        handler.handshakeFuture().addListener(f -> {
            if (!f.isSuccess()) {
                log.warn("{}: TLS handshake with the FTP server failed: {}", label, UpstreamTls.describe(f.cause()));
            }
        });
    }

    /** The session of the control connection {@code controlStreamId}, or a fresh one (no resumption) if it is gone. */
    private UpstreamTls.Session forData(ByteString controlStreamId, String label) {
        UpstreamTls.Session session = open.get(controlStreamId);
        if (session == null) {
            log.warn("{}: no open upstream control connection for this session; its data connection cannot resume "
                    + "the control connection's TLS session", label);
            return tls.newSession(host, port);
        }
        return session;
    }
}
