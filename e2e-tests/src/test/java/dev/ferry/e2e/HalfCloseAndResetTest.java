package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP semantics through the tunnel, with a raw upstream socket in place of an FTP server: a FIN
 * arrives as a FIN (the other direction stays open), and a reset arrives as a reset, never as a
 * clean end of stream.
 */
class HalfCloseAndResetTest {
    @TempDir
    Path temp;

    ServerSocket upstream;
    Tunnel tunnel;

    @BeforeEach
    void start() throws Exception {
        upstream = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.6"));
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")))
                .startAgent(new InetSocketAddress("127.0.0.6", upstream.getLocalPort()));
    }

    @AfterEach
    void stop() throws Exception {
        tunnel.close();
        upstream.close();
    }

    @Test
    void finTravelsAsFinInBothDirections() throws Exception {
        CompletableFuture<String> serverReceived = CompletableFuture.supplyAsync(() -> {
            try (Socket s = upstream.accept()) {
                s.getOutputStream().write("220 hello\r\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                return e.toString();
            }
        });
        try (Socket client = new Socket(Tunnel.RELAY_HOST, tunnel.ftpPort)) {
            client.setSoTimeout(10_000);
            InputStream in = client.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("220 hello\r\n");
            // our direction is still open after the server's FIN
            client.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(serverReceived.get(10, TimeUnit.SECONDS)).isEqualTo("QUIT\r\n");
        }
    }

    @Test
    void aResetTravelsAsAReset() throws Exception {
        CompletableFuture.runAsync(() -> {
            try (Socket s = upstream.accept()) {
                s.getOutputStream().write("220 hello\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Thread.sleep(200);
                s.setSoLinger(true, 0);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Socket client = new Socket(Tunnel.RELAY_HOST, tunnel.ftpPort)) {
            client.setSoTimeout(10_000);
            InputStream in = client.getInputStream();
            byte[] greeting = in.readNBytes("220 hello\r\n".length());
            assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("220 hello\r\n");
            assertThatThrownBy(() -> {
                while (in.read() >= 0) {
                    // drain until the reset shows
                }
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }
}
