package dev.ferry.e2e;

import dev.ferry.relay.tunnel.TlsPolicy;
import java.nio.file.Path;
import java.util.function.IntFunction;

/** A {@link TinyFtpServer} on 127.0.0.6 published through a whole {@link Tunnel}; {@link #close()} stops both. */
final class TinyTunnel implements AutoCloseable {
    final TinyFtpServer server;
    final Tunnel tunnel;

    private TinyTunnel(TinyFtpServer server, Tunnel tunnel) {
        this.server = server;
        this.tunnel = tunnel;
    }

    /**
     * @param pasvReply the server's 227 line for a port, given the address part ({@code h1,...,p2})
     *     and the port, without line end
     * @param epsvReply the server's 229 line for a port, without line end
     */
    static TinyTunnel start(Path dir, byte[] file, java.util.function.BiFunction<String, Integer, String> pasvReply,
            IntFunction<String> epsvReply) throws Exception {
        TinyFtpServer[] started = new TinyFtpServer[1];
        TinyFtpServer server = new TinyFtpServer("127.0.0.6", file,
                port -> pasvReply.apply(started[0].hostPort(port), port), epsvReply);
        started[0] = server;
        return new TinyTunnel(server, Tunnel.publish(server, server.address(), dir, TlsPolicy.NONE, b -> b));
    }

    @Override
    public void close() throws Exception {
        try {
            tunnel.close();
        } finally {
            server.close();
        }
    }
}
