package dev.ferry.link.pipe;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Keeps what a connection delivers before its {@link SocketPipe} starts. With auto-read off nothing
 * reads a socket, except that Netty's epoll transport reads to the end as soon as the peer shuts its
 * side (EPOLLRDHUP), so a client that sends a small upload and its FIN before the agent's stream has
 * attached would have those bytes dropped at the end of the pipeline and, without half-closure, its
 * connection closed: the server would see a reset upload (vsftpd: {@code 426 Failure reading network
 * stream}). Installed when the connection is accepted, this handler turns half-closure on, holds
 * every read and inbound event until the first read request passes it (the pipe's, or TLS starting
 * its handshake), then hands them on in order and leaves the pipeline. What it holds is bounded by
 * the socket's receive buffer: nothing else reads while it waits.
 */
public final class EarlyInput extends ChannelDuplexHandler {
    private final Queue<Object> held = new ArrayDeque<>();
    private boolean letGo;

    /** Call before anything reads {@code channel} (e.g. when it is accepted); later handlers go after this one. */
    public static void install(Channel channel) {
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.pipeline().addLast(new EarlyInput());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (letGo) {
            ctx.fireChannelRead(msg);
        } else {
            held.add(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (letGo) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (letGo) {
            ctx.fireUserEventTriggered(evt);
        } else {
            held.add(new Event(evt));
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!letGo) {
            letGo = true;
            boolean any = !held.isEmpty();
            for (Object m; (m = held.poll()) != null; ) {
                if (m instanceof Event e) {
                    ctx.fireUserEventTriggered(e.event());
                } else {
                    ctx.fireChannelRead(m);
                }
            }
            if (any) {
                ctx.fireChannelReadComplete();
            }
            ctx.pipeline().remove(this);
        }
        ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }

    /** An inbound user event held in order with the reads. */
    private record Event(Object event) {
    }
}
