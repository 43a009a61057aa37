package dev.ferry.agent.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;

/** A JDK TLS server with a self-signed certificate, and bytes moved between two embedded channels. */
final class TlsPeers implements AutoCloseable {
    final SelfSignedCertificate certificate;
    private final SslContext server;
    private final SslContext tls12Server;

    TlsPeers(String name) throws Exception {
        certificate = new SelfSignedCertificate(name, "EC", 256);
        server = SslContextBuilder.forServer(certificate.key(), certificate.cert()).sslProvider(SslProvider.JDK).build();
        tls12Server = SslContextBuilder.forServer(certificate.key(), certificate.cert()).sslProvider(SslProvider.JDK)
                .protocols("TLSv1.2").build();
    }

    /** A server connection; every one shares one server context (and so its session cache). */
    SslHandler serverHandler() {
        return server.newHandler(ByteBufAllocator.DEFAULT);
    }

    /** The same, limited to TLS 1.2, where a resumed session keeps its id. */
    SslHandler tls12ServerHandler() {
        return tls12Server.newHandler(ByteBufAllocator.DEFAULT);
    }

    /** Moves bytes both ways until neither side has anything more to send. */
    static void pump(EmbeddedChannel a, EmbeddedChannel b) {
        boolean moved = true;
        while (moved) {
            moved = move(a, b) | move(b, a);
        }
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        from.runPendingTasks();
        boolean moved = false;
        for (Object out = from.readOutbound(); out != null; out = from.readOutbound()) {
            ByteBuf bytes = (ByteBuf) out;
            if (!to.isOpen()) {
                bytes.release();
                continue;
            }
            to.writeInbound(bytes);
            moved = true;
        }
        to.runPendingTasks();
        return moved;
    }

    @Override
    public void close() {
        certificate.delete();
    }
}
