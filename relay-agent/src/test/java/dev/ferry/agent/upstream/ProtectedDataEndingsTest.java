package dev.ferry.agent.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.link.pipe.SocketPipe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a protected data connection ends, with a real TLS server on the other side of two embedded
 * channels: the server's close_notify is the end of the data; a FIN without it, and a reset, are not.
 */
class ProtectedDataEndingsTest {
    static SelfSignedCertificate certificate;
    static SslContext serverTls;

    private final List<String> seen = new ArrayList<>();
    private EmbeddedChannel server;
    private EmbeddedChannel agent;

    @BeforeAll
    static void certificate() throws Exception {
        certificate = new SelfSignedCertificate("ftps.test");
        serverTls = SslContextBuilder.forServer(certificate.key(), certificate.cert()).sslProvider(SslProvider.JDK).build();
    }

    @AfterAll
    static void delete() {
        certificate.delete();
    }

    @AfterEach
    void release() {
        agent.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    private void connect() {
        server = new EmbeddedChannel(serverTls.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT));
        SslHandler tls = UpstreamTls.insecure().newSession("127.0.0.1", 21).newHandler();
        agent = new EmbeddedChannel(tls, new CloseNotifyEndsData(tls), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add("data " + ((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                    seen.add("FIN");
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                seen.add("failed: " + cause.getMessage());
            }
        });
        pump();
        assertThat(tls.handshakeFuture().isSuccess()).isTrue();
    }

    /** Moves bytes both ways until neither side has anything more to send. */
    private void pump() {
        boolean moved = true;
        while (moved) {
            moved = move(agent, server) | move(server, agent);
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

    private void serverSends(String text) {
        server.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        pump();
    }

    @Test
    void theServersCloseNotifyEndsTheData() {
        connect();
        serverSends("listing");
        server.pipeline().get(SslHandler.class).closeOutbound();
        pump();
        assertThat(seen).containsExactly("data listing", "FIN");
    }

    @Test
    void aFinWithoutCloseNotifyIsAFailureNotAnEnd() {
        connect();
        serverSends("half a file");
        agent.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(seen).containsExactly("data half a file",
                "failed: the FTP server ended the data connection without TLS close_notify");
    }

    @Test
    void aResetSendsNoCloseNotify() {
        connect();
        SocketPipe.resetChannel(agent);
        agent.runPendingTasks();
        assertThat((Object) agent.readOutbound()).as("nothing after a reset").isNull();
        assertThat(agent.isOpen()).isFalse();
    }

    @Test
    void anOrdinaryCloseWouldSendOne() {
        connect();
        agent.close();
        agent.runPendingTasks();
        Object closeNotify = agent.readOutbound();
        assertThat(closeNotify).as("the close_notify a reset must not send").isNotNull();
        ReferenceCountUtil.release(closeNotify);
    }
}
