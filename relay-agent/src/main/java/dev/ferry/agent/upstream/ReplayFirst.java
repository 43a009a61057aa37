package dev.ferry.agent.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * Delivers bytes already read from the connection (the server's greeting, read during the TLS
 * upgrade) as the answer to the first read the next handler asks for, then steps aside. The
 * greeting thus travels to the relay under the same backpressure as every later byte.
 */
final class ReplayFirst extends ChannelDuplexHandler {
    private ByteBuf pending;

    ReplayFirst(ByteBuf pending) {
        this.pending = pending;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (pending == null) {
            ctx.read();
            return;
        }
        ByteBuf replay = pending;
        pending = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(replay);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
