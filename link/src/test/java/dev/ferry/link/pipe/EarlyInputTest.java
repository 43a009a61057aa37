package dev.ferry.link.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What arrives before the pipe starts is kept, in order, and handed on at the pipe's first read. */
class EarlyInputTest {
    /** Records what reaches the end of the pipeline, as the pipe would see it. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> seen = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            seen.add(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            seen.add("complete");
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt == ChannelInputShutdownEvent.INSTANCE ? "FIN" : evt.toString());
        }
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void bytesAndTheFinBeforeThePipeReachItInOrderAtItsFirstRead() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        EarlyInput.install(channel);
        channel.pipeline().fireChannelRead(bytes("upload "));
        channel.pipeline().fireChannelRead(bytes("bytes"));
        channel.pipeline().fireChannelReadComplete();
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        Recorder pipe = new Recorder();
        channel.pipeline().addLast(pipe); // the pipe starts later, after other handlers were added
        assertThat(pipe.seen).isEmpty();

        channel.read();
        assertThat(pipe.seen).containsExactly("upload ", "bytes", "FIN", "complete");
        assertThat(channel.pipeline().get(EarlyInput.class)).isNull();

        channel.pipeline().fireChannelRead(bytes("later"));
        assertThat(pipe.seen).endsWith("later");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionThatEndsBeforeItsPipeReleasesWhatWasHeld() {
        EmbeddedChannel channel = new EmbeddedChannel();
        EarlyInput.install(channel);
        ByteBuf held = bytes("never piped");
        channel.pipeline().fireChannelRead(held);
        channel.close();
        assertThat(held.refCnt()).isZero();
    }
}
