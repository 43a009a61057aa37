import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * A TCP proxy that delays every chunk by DELAY_MS in each direction (tc netem is not available here).
 * At most 6 MiB are in flight per direction (Linux's default largest TCP receive window), so one
 * stream through it gets what one TCP connection over such a link would get, not more.
 *
 * <p>Two threads per direction: a reader stamps each chunk with its due time, a writer sleeps until
 * then. Run with the JDK's source launcher: {@code java bench/DelayProxy.java LISTEN_HOST:PORT
 * TARGET_HOST:PORT DELAY_MS}.
 */
public final class DelayProxy {
    private static final int BUFFER = 6 << 20;
    private static final int CHUNK = 256 << 10;

    private record Chunk(long dueNanos, byte[] bytes, int length) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java DelayProxy.java LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS");
            System.exit(2);
        }
        InetSocketAddress listen = address(args[0]);
        InetSocketAddress target = address(args[1]);
        long delayNanos = Long.parseLong(args[2]) * 1_000_000L;
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(listen);
            while (true) {
                Socket client = server.accept();
                start(() -> handle(client, target, delayNanos));
            }
        }
    }

    private static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    private static void handle(Socket client, InetSocketAddress target, long delayNanos) {
        try (client; Socket server = new Socket()) {
            server.connect(target);
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            Thread up = pump(client, server, delayNanos);
            Thread down = pump(server, client, delayNanos);
            up.join();
            down.join();
        } catch (IOException | InterruptedException e) {
            // the connection is over
        }
    }

    /** Moves bytes from one socket to the other, each chunk held back until its due time. */
    private static Thread pump(Socket from, Socket to, long delayNanos) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(BUFFER / 1024);
        Semaphore room = new Semaphore(BUFFER);
        Thread writer = start(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                    }
                    if (c.length() < 0) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(c.bytes(), 0, c.length());
                    room.release(c.length());
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
        return start(() -> {
            try {
                InputStream in = from.getInputStream();
                byte[] buf = new byte[CHUNK];
                while (true) {
                    int n = in.read(buf);
                    if (n < 0) {
                        queue.put(new Chunk(System.nanoTime() + delayNanos, null, -1));
                        break;
                    }
                    room.acquire(n);
                    queue.put(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n), n));
                }
                writer.join();
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private static Thread start(Runnable task) {
        Thread t = new Thread(task);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
