package dev.ferry.agent.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.link.pipe.SocketPipe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
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
    static TlsPeers peers;

    private final List<String> seen = new ArrayList<>();
    private EmbeddedChannel server;
    private EmbeddedChannel agent;

    @BeforeAll
    static void certificate() throws Exception {
        peers = new TlsPeers("ftps.test");
    }

    @AfterAll
    static void delete() {
        peers.close();
    }

    @AfterEach
    void release() {
        agent.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    private void connect() throws Exception {
        server = new EmbeddedChannel(peers.serverHandler());
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

    private void pump() {
        TlsPeers.pump(agent, server);
    }

    private void serverSends(String text) {
        server.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        pump();
    }

    @Test
    void theServersCloseNotifyEndsTheData() throws Exception {
        connect();
        serverSends("listing");
        server.pipeline().get(SslHandler.class).closeOutbound();
        pump();
        assertThat(seen).containsExactly("data listing", "FIN");
    }

    @Test
    void aFinWithoutCloseNotifyIsAFailureNotAnEnd() throws Exception {
        connect();
        serverSends("half a file");
        agent.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(seen).containsExactly("data half a file",
                "failed: the FTP server ended the data connection without TLS close_notify");
    }

    @Test
    void aResetSendsNoCloseNotify() throws Exception {
        connect();
        SocketPipe.resetChannel(agent);
        agent.runPendingTasks();
        assertThat((Object) agent.readOutbound()).as("nothing after a reset").isNull();
        assertThat(agent.isOpen()).isFalse();
    }

    @Test
    void anOrdinaryCloseWouldSendOne() throws Exception {
        connect();
        agent.close();
        agent.runPendingTasks();
        Object closeNotify = agent.readOutbound();
        assertThat(closeNotify).as("the close_notify a reset must not send").isNotNull();
        ReferenceCountUtil.release(closeNotify);
    }
}
