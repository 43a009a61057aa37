package dev.ferry.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording TCP hop for tests: listens on 127.0.0.1, forwards each connection to {@code target},
 * and keeps every byte the clients sent, as a packet capture of the public side would.
 */
final class TcpTap implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final ByteArrayOutputStream fromClients = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;

    TcpTap(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        this.acceptor = new Thread(this::acceptLoop, "tcp-tap");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Everything clients sent through the tap so far. */
    byte[] clientBytes() {
        synchronized (fromClients) {
            return fromClients.toByteArray();
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                synchronized (sockets) {
                    sockets.add(client);
                    sockets.add(server);
                }
                copy(client, server, true);
                copy(server, client, false);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void copy(Socket from, Socket to, boolean record) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (record) {
                        synchronized (fromClients) {
                            fromClients.write(buffer, 0, n);
                        }
                    }
                    out.write(buffer, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(to);
            }
        }, "tcp-tap-copy");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            sockets.forEach(TcpTap::closeQuietly);
        }
    }
}
