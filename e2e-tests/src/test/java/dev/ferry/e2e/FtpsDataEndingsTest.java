package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a protected (PROT P) data connection ends, with a scripted FTP server behind the agent: the
 * server's FIN reaches the client as a clean end, and the server's reset reaches it as a reset, never
 * as close_notify (which would make a cut download look complete). That the clean end carries
 * close_notify before the FIN is proven by {@code FtpsClientsTest}'s ftplib, which refuses a bare FIN.
 */
class FtpsDataEndingsTest {
    private static final int SIZE = 200_000;

    @TempDir
    Path temp;

    ServerSocket control;
    ServerSocket data;
    Tunnel tunnel;

    @BeforeEach
    void start() throws Exception {
        control = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.6"));
        data = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.6"));
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")))
                .startAgent(new InetSocketAddress("127.0.0.6", control.getLocalPort()));
    }

    @AfterEach
    void stop() throws Exception {
        tunnel.close();
        control.close();
        data.close();
    }

    /** A tiny FTP server: 220, then 227 to PASV and, to RETR, 150 and {@link #SIZE} bytes ended by FIN or RST. */
    private CompletableFuture<Void> server(boolean reset) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = control.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                out.write("220 scripted\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("PASV")) {
                        int p = data.getLocalPort();
                        out.write(("227 Entering Passive Mode (127,0,0,6," + p / 256 + "," + p % 256 + ")\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                    } else if (line.startsWith("RETR")) {
                        out.write("150 here it comes\r\n".getBytes(StandardCharsets.US_ASCII));
                        try (Socket d = data.accept()) {
                            byte[] bytes = new byte[SIZE];
                            Arrays.fill(bytes, (byte) 'x');
                            d.getOutputStream().write(bytes);
                            d.getOutputStream().flush();
                            if (reset) {
                                Thread.sleep(300);
                                d.setSoLinger(true, 0);
                            }
                        }
                        out.write((reset ? "426 aborted\r\n" : "226 done\r\n").getBytes(StandardCharsets.US_ASCII));
                    } else {
                        out.write("200 ok\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private SSLSocket protectedDownload(RawFtp ftp, SSLContext client) throws Exception {
        assertThat(ftp.reply()).isEqualTo("220 scripted");
        ftp.startTls(client, Tunnel.RELAY_HOST, tunnel.ftpPort);
        assertThat(ftp.send("PBSZ 0")).isEqualTo("200 PBSZ=0");
        assertThat(ftp.send("PROT P")).startsWith("200 PROT P");
        int port = ftp.pasv();
        Socket plain = new Socket(Tunnel.RELAY_HOST, port);
        SSLSocket tls = (SSLSocket) client.getSocketFactory().createSocket(plain, Tunnel.RELAY_HOST, port, true);
        tls.setUseClientMode(true);
        tls.setSoTimeout(20_000);
        tls.startHandshake();
        assertThat(ftp.send("RETR file")).isEqualTo("150 here it comes");
        return tls;
    }

    @Test
    void theServersFinArrivesAsCloseNotifyThenFin() throws Exception {
        CompletableFuture<Void> server = server(false);
        SSLContext client = FtpsAttackTest.trustingClient();
        try (RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort); SSLSocket data = protectedDownload(ftp, client)) {
            assertThat(data.getInputStream().readAllBytes()).hasSize(SIZE);
            assertThat(ftp.reply()).isEqualTo("226 done");
        }
        server.cancel(true);
    }

    @Test
    void theServersResetArrivesAsAReset() throws Exception {
        CompletableFuture<Void> server = server(true);
        SSLContext client = FtpsAttackTest.trustingClient();
        try (RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort); SSLSocket data = protectedDownload(ftp, client)) {
            InputStream in = data.getInputStream();
            byte[] got = in.readNBytes(SIZE);
            assertThat(got).hasSize(SIZE);
            assertThatThrownBy(() -> {
                while (in.read() >= 0) {
                    // drain until the reset shows
                }
            }).isInstanceOf(SocketException.class);
        }
        server.cancel(true);
    }
}
