package dev.ferry.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 whose link can be cut like a cable: while {@link #cut()} is in force no
 * byte, FIN or RST passes either way and nothing is closed, so both ends see silence, as when every
 * packet is dropped. New connections are accepted and dialled through, but stay silent too (their
 * SYN "got through", nothing else does). {@link #restore()} lets everything held flow again.
 */
final class CuttableProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean cut;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    private CuttableProxy(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
    }

    static CuttableProxy start(InetSocketAddress target) throws IOException {
        CuttableProxy proxy = new CuttableProxy(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), target);
        Thread accept = new Thread(proxy::acceptLoop, "cuttable-proxy-accept");
        accept.setDaemon(true);
        accept.start();
        return proxy;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    void cut() {
        synchronized (gate) {
            cut = true;
        }
    }

    void restore() {
        synchronized (gate) {
            cut = false;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                sockets.add(client);
                Socket server = new Socket();
                sockets.add(server);
                try {
                    server.connect(target, 5_000);
                } catch (IOException e) {
                    reset(client);
                    continue;
                }
                pump(client, server, "up");
                pump(server, client, "down");
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("proxy accept failed", e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    awaitRestored();
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException e) {
                        awaitRestored();
                        reset(to);
                        return;
                    }
                    awaitRestored();
                    if (n < 0) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException | InterruptedException e) {
                reset(to);
            }
        }, "cuttable-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void awaitRestored() throws InterruptedException {
        synchronized (gate) {
            while (cut && !closed) {
                gate.wait();
            }
        }
    }

    /** Resets every connection made so far (both sides); new ones are still accepted. */
    void resetConnections() {
        sockets.forEach(CuttableProxy::reset);
        sockets.clear();
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        restore();
        listener.close();
        sockets.forEach(CuttableProxy::reset);
    }
}
