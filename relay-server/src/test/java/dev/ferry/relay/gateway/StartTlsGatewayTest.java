package dev.ferry.relay.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * AUTH answered by the gateway itself ({@link CommandFilter#startTls}): the 234 goes out in the clear,
 * then the TLS handler sits in front of the gateway and gets every byte the client sent after AUTH,
 * even in the same read, and the gateway reads on behind it. The stand-in for TLS records what it
 * got and marks what it sends.
 */
class StartTlsGatewayTest {
    static final String OK = "234 AUTH TLS accepted.\r\n";

    /** Records raw client bytes and passes them on as if decrypted; marks replies as encrypted. */
    static final class FakeTls extends ChannelDuplexHandler {
        final StringBuilder received = new StringBuilder();
        int added;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            added++;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ByteBuf in = (ByteBuf) msg;
            ByteBuf out = ctx.alloc().buffer();
            out.writeCharSequence("[tls]", StandardCharsets.ISO_8859_1);
            out.writeBytes(in);
            in.release();
            ctx.write(out, promise);
        }
    }

    private final FakeTls tls = new FakeTls();
    private final GatewayHarness gw = new GatewayHarness(h -> new FtpControlGateway(GatewayHarness.config(4096), h,
            SessionEvents.NONE, command -> command.kind() == CommandKind.AUTH
                    ? CommandFilter.startTls(OK, channel -> tls) : CommandFilter.forward()));

    @AfterEach
    void nothingLeftOver() {
        assertThat(gw.finish()).isFalse();
    }

    @Test
    void bytesAfterAuthInTheSameReadGoIntoTls() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("AUTH TLS\r\nUSER alice\r\nPA")).isEqualTo("USER alice\r\n");
        assertThat(gw.drainOutbound()).isEqualTo(OK);
        assertThat(tls.added).isEqualTo(1);
        assertThat(tls.received).hasToString("USER alice\r\nPA");
        assertThat(gw.client("SS secret\r\n")).isEqualTo("PASS secret\r\n");
        assertThat(gw.server("331 ok\r\n230 in\r\n")).isEqualTo("[tls]331 ok\r\n230 in\r\n");
    }

    @Test
    void passiveRepliesAreStillRewrittenInsideTls() {
        gw.server("220 ready\r\n");
        gw.client("AUTH SSL\r\n");
        assertThat(gw.drainOutbound()).isEqualTo(OK);
        assertThat(gw.client("PASV\r\n")).isEqualTo("PASV\r\n");
        assertThat(gw.server("227 ok (10,0,0,1,4,1)\r\n")).isEqualTo("[tls]227 ok (203,0,113,7,156,65)\r\n");
    }

    @Test
    void authPipelinedBehindACommandWaitsForItsReply() {
        gw.server("220 ready\r\n");
        assertThat(gw.client("NOOP\r\nAUTH TLS\r\n\u0016\u0003\u0001")).isEqualTo("NOOP\r\n");
        assertThat(gw.drainOutbound()).isEmpty();
        assertThat(tls.added).isZero();
        assertThat(gw.server("200 NOOP ok\r\n")).isEqualTo("200 NOOP ok\r\n" + OK);
        assertThat(tls.added).isEqualTo(1);
        assertThat(tls.received).hasToString("\u0016\u0003\u0001");
        gw.drainInbound();
        assertThat(gw.server("421 bye\r\n")).isEqualTo("[tls]421 bye\r\n");
    }

    @Test
    void theTransferOutcomeOfARefusedDataConnectionIsReplaced() {
        FtpControlGateway gateway = gw.channel.pipeline().get(FtpControlGateway.class);
        gw.server("220 ready\r\n");
        assertThat(gateway.refuseTransfer("425 refused.\r\n")).isFalse(); // nothing outstanding
        gw.client("RETR x\r\n");
        gw.server("150 opening\r\n");
        assertThat(gateway.refuseTransfer("425 refused.\r\n")).isTrue();
        assertThat(gw.server("226-all\r\n226 done\r\n")).isEqualTo("425 refused.\r\n");
        gw.client("NOOP\r\n");
        assertThat(gw.server("200 ok\r\n")).isEqualTo("200 ok\r\n");
    }
}
