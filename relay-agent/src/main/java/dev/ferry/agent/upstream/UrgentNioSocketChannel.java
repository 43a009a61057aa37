package dev.ferry.agent.upstream;

import dev.ferry.link.pipe.UrgentChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A NIO socket channel that can send TCP urgent data, through the JDK socket's
 * {@code sendUrgentData} (Netty's epoll channel cannot send MSG_OOB). The agent opens its
 * upstream control connections with it, so a client's Synch reaches the FTP server urgent.
 */
public final class UrgentNioSocketChannel extends NioSocketChannel implements UrgentChannel {
    /** A full send buffer refuses urgent data ("Socket buffer full"): try again this often, this many times. */
    private static final long RETRY_MILLIS = 10;
    private static final int RETRIES = 500;

    @Override
    public Future<Void> sendUrgent(byte[] bytes) {
        Promise<Void> sent = eventLoop().newPromise();
        eventLoop().execute(() -> send(bytes, 0, RETRIES, sent));
        return sent;
    }

    private void send(byte[] bytes, int from, int retriesLeft, Promise<Void> sent) {
        int i = from;
        try {
            for (; i < bytes.length; i++) {
                javaChannel().socket().sendUrgentData(bytes[i]);
            }
            sent.trySuccess(null);
        } catch (IOException e) {
            boolean full = e.getMessage() != null && e.getMessage().contains("buffer full");
            if (!full || !isOpen() || retriesLeft == 0) {
                sent.tryFailure(e);
                return;
            }
            int next = i;
            eventLoop().schedule(() -> send(bytes, next, retriesLeft - 1, sent), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
