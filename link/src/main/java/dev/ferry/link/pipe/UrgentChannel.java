package dev.ferry.link.pipe;

import io.netty.util.concurrent.Future;

/**
 * A socket channel that can send TCP urgent data (MSG_OOB). {@link SocketPipe} sends a
 * {@link PipeFrame.Urgent} frame through it once everything written before has gone out; on any
 * other channel the bytes are written as ordinary data.
 */
public interface UrgentChannel {
    /**
     * Sends one byte as urgent data (it carries the urgent mark), on the channel's event loop, after
     * the bytes already handed to the kernel.
     *
     * @return completes once it is sent, or fails if the socket failed
     */
    Future<Void> sendUrgent(byte b);
}
