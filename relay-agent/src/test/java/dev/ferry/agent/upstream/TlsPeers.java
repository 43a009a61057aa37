package dev.ferry.agent.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import javax.net.ssl.SSLException;

/** A JDK TLS server with a self-signed certificate, and bytes moved between two embedded channels. */
final class TlsPeers implements AutoCloseable {
    final SelfSignedCertificate certificate;

    TlsPeers(String name) throws Exception {
        certificate = new SelfSignedCertificate(name, "EC", 256);
    }

    SslHandler serverHandler() throws SSLException {
        return SslContextBuilder.forServer(certificate.key(), certificate.cert()).sslProvider(SslProvider.JDK).build()
                .newHandler(ByteBufAllocator.DEFAULT);
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
