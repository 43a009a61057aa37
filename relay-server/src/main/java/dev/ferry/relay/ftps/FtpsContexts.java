package dev.ferry.relay.ftps;

import dev.ferry.relay.tls.RelayCertificate;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's FTPS server contexts: one JDK {@link SslContext} per tunnel, used for its control
 * connection AND its data connections, so a data connection can resume the control connection's TLS
 * session (TLS 1.2 and 1.3, session tickets). A tunnel's context is rebuilt when its files change
 * (a running relay picks up {@code tunnel cert} without a restart); a session keeps the context it
 * started with. The fallback (the relay's {@code --ftps-cert}, or a generated one) serves clients
 * that name no tunnel.
 *
 * <p>API for routing before the tunnel is known (shared port, implicit FTPS): {@link #sniHandler} /
 * {@link #startTls} put TLS on a channel, pick the certificate by SNI, send {@code unrecognized_name}
 * for a name that is no tunnel, and complete with the {@link ControlTls} (SNI name, context, handler).
 */
public final class FtpsContexts {
    private static final Logger log = LoggerFactory.getLogger(FtpsContexts.class);

    /** The handshake that finished on a control connection: what a session keeps for its data connections. */
    public record ControlTls(Optional<String> serverName, SslContext context, SslHandler handler) {
    }

    private record Loaded(long stamp, SslContext context) {
    }

    private final FtpsCertificates certificates;
    private final Path fallbackCert;
    private final Path fallbackKey;
    private final String fallbackName;
    private final SecureRandom random;
    private final Duration handshakeTimeout;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();

    /**
     * @param fallbackCert the relay's default certificate ({@code --ftps-cert}), or null to generate one
     *     for {@code fallbackName} into the data dir
     * @param handshakeTimeout how long a TLS handshake may take before the connection is closed
     */
    public FtpsContexts(FtpsCertificates certificates, Path fallbackCert, Path fallbackKey, String fallbackName,
            SecureRandom random, Duration handshakeTimeout) {
        if ((fallbackCert == null) != (fallbackKey == null)) {
            throw new IllegalArgumentException("--ftps-cert and --ftps-key must be given together");
        }
        this.certificates = Objects.requireNonNull(certificates, "certificates");
        this.fallbackCert = fallbackCert;
        this.fallbackKey = fallbackKey;
        this.fallbackName = Objects.requireNonNull(fallbackName, "fallbackName");
        this.random = Objects.requireNonNull(random, "random");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (fallbackCert != null) {
            try {
                PemIdentity.read(fallbackCert, fallbackKey); // fail at start, naming the flags and files
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                throw new IllegalArgumentException("--ftps-cert/--ftps-key: " + e.getMessage(), e);
            }
        }
    }

    /** The tunnel's context: its own certificate, generated self-signed for its domain if it has none. */
    public SslContext forTunnel(String tunnel) {
        return stored(tunnel, tunnel);
    }

    /** The context of a pair in the data dir, generated self-signed for {@code dnsName} first if missing. */
    private SslContext stored(String name, String dnsName) {
        if (!certificates.exists(name)) {
            synchronized (this) {
                if (!certificates.exists(name)) {
                    RelayCertificate made = certificates.generate(name, dnsName, random);
                    log.info("generated a self-signed FTPS certificate for {}, {}", dnsName, made.pin());
                }
            }
        }
        return load(name, certificates.certFile(name), certificates.keyFile(name), certificates.stamp(name));
    }

    /** The context for clients that name no tunnel. */
    public SslContext fallback() {
        if (fallbackCert != null) {
            return load(FtpsCertificates.FALLBACK + "-given", fallbackCert, fallbackKey,
                    fallbackCert.toFile().lastModified() * 31 + fallbackKey.toFile().lastModified());
        }
        return stored(FtpsCertificates.FALLBACK, fallbackName);
    }

    private SslContext load(String key, Path cert, Path privateKey, long stamp) {
        Loaded current = loaded.get(key);
        if (current != null && current.stamp() == stamp) {
            return current.context();
        }
        PemIdentity identity = PemIdentity.read(cert, privateKey);
        SslContext context;
        try {
            context = SslContextBuilder.forServer(identity.key(), identity.chain().toArray(new X509Certificate[0]))
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot use the FTPS certificate " + cert + ": " + e.getMessage(), e);
        }
        if (current != null) {
            log.info("FTPS certificate {} changed on disk: new sessions use the new one", cert);
        }
        loaded.put(key, new Loaded(stamp, context));
        return context;
    }

    /** A server-side TLS handler from {@code context} with the handshake deadline. */
    public SslHandler serverHandler(SslContext context, ByteBufAllocator alloc) {
        SslHandler handler = context.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * A handler that reads the ClientHello, picks the context by SNI ({@code tunnelContext} for a
     * name {@code isTunnel} accepts, the fallback when no name is sent), refuses any other name with
     * a {@code unrecognized_name} alert, and replaces itself with the {@link SslHandler}.
     * {@code result} completes when the handshake succeeds and fails if it does not (deadline,
     * alert, plaintext, close).
     */
    public SniTls sniHandler(Predicate<String> isTunnel, Promise<ControlTls> result) {
        return new SniTls(this, isTunnel, result, true);
    }

    /** Puts {@link #sniHandler} first in the channel's pipeline; see there. */
    public Future<ControlTls> startTls(Channel channel, Predicate<String> isTunnel) {
        return startTls(channel, isTunnel, true);
    }

    /**
     * The same, but if {@code refuseUnknown} is false a name that is no tunnel gets the fallback and
     * completes as no name (on the shared port HOST or USER may still name the tunnel; clients send
     * the name they connected to, the relay's own or even its IP address).
     */
    public Future<ControlTls> startTls(Channel channel, Predicate<String> isTunnel, boolean refuseUnknown) {
        Promise<ControlTls> result = channel.eventLoop().newPromise();
        channel.pipeline().addFirst(new SniTls(this, isTunnel, result, refuseUnknown));
        return result;
    }

    /** A domain as SNI and tunnel names compare: lower case, no trailing dot. */
    static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
