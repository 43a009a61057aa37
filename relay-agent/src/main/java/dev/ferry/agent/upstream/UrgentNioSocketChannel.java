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
    public Future<Void> sendUrgent(byte b) {
        Promise<Void> sent = eventLoop().newPromise();
        if (eventLoop().inEventLoop()) {
            send(b, RETRIES, sent);
        } else {
            eventLoop().execute(() -> send(b, RETRIES, sent));
        }
        return sent;
    }

    private void send(byte b, int retriesLeft, Promise<Void> sent) {
        try {
            javaChannel().socket().sendUrgentData(b);
            sent.trySuccess(null);
        } catch (IOException e) {
            boolean full = e.getMessage() != null && e.getMessage().contains("buffer full");
            if (!full || !isOpen() || retriesLeft == 0) {
                sent.tryFailure(e);
                return;
            }
            eventLoop().schedule(() -> send(b, retriesLeft - 1, sent), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
