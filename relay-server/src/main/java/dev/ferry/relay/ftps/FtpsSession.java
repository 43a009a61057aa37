package dev.ferry.relay.ftps;

import dev.ferry.relay.tunnel.TlsPolicy;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * One control connection's FTPS state, confined to its event loop: whether TLS is on (and with which
 * context and handler), whether the client asked {@code PROT P}, and what the tunnel demands.
 */
public final class FtpsSession {
    private final TlsPolicy policy;
    private SslContext context;
    private SslHandler control;
    private boolean bufferSizeSet;
    private boolean protectData;

    public FtpsSession(TlsPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** A session whose control connection already speaks TLS (implicit FTPS, or TLS started before routing). */
    public static FtpsSession started(TlsPolicy policy, FtpsContexts.ControlTls tls) {
        FtpsSession session = new FtpsSession(policy);
        session.tlsStarted(tls.context(), tls.handler());
        return session;
    }

    public TlsPolicy policy() {
        return policy;
    }

    void tlsStarted(SslContext context, SslHandler control) {
        this.context = Objects.requireNonNull(context, "context");
        this.control = Objects.requireNonNull(control, "control");
    }

    public boolean tlsActive() {
        return control != null;
    }

    /** The context the control connection uses: data connections use it too, for resumption. */
    public SslContext context() {
        return context;
    }

    /** The control connection's TLS session, once its handshake is done. */
    public Optional<SSLSession> controlSession() {
        return control == null || !control.handshakeFuture().isSuccess()
                ? Optional.empty() : Optional.of(control.engine().getSession());
    }

    void bufferSizeSet() {
        bufferSizeSet = true;
    }

    boolean isBufferSizeSet() {
        return bufferSizeSet;
    }

    void protectData(boolean on) {
        protectData = on;
    }

    /** The client asked {@code PROT P}: data connections get TLS. */
    public boolean protectsData() {
        return protectData;
    }
}
