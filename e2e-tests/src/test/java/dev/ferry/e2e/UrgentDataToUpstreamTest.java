package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's Telnet Synch reaches the upstream as TCP urgent data at its place in the stream. The
 * upstream is a plain socket that does not read urgent data inline, so the kernel takes the urgent
 * byte out of the stream: exactly the DM must be missing, everything around it there and in order.
 */
class UrgentDataToUpstreamTest {
    @TempDir
    Path temp;

    /** What a test does with the client's socket and the upstream's accepted one. */
    private interface Exchange {
        void run(Socket client, Socket server) throws Exception;
    }

    /** A client connected through a relay and agent to a plain socket upstream on 127.0.0.6. */
    private void throughRelay(boolean oobInline, Exchange exchange) throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.6"));
                Tunnel tunnel = Tunnel.startRelay(temp).startAgent(
                        new InetSocketAddress("127.0.0.6", upstream.getLocalPort()));
                Socket client = new Socket(Tunnel.RELAY_HOST, tunnel.ftpPort)) {
            upstream.setSoTimeout(15_000);
            client.setSoTimeout(15_000);
            try (Socket server = upstream.accept()) {
                server.setOOBInline(oobInline);
                server.setSoTimeout(15_000);
                exchange.run(client, server);
            }
        }
    }

    @Test
    @Timeout(30)
    void theDmOfASynchArrivesUrgentBetweenTheBytesAroundIt() throws Exception {
        throughRelay(false, (client, server) -> {
            server.getOutputStream().write("220 ready\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(client.getInputStream())).isEqualTo("220 ready\r\n");

            client.getOutputStream().write(latin1("NOOP\r\n\u00ff\u00f4\u00ff"));
            client.sendUrgentData(0xf2);
            client.getOutputStream().write(latin1("ABOR\r\nNOOP\r\n"));

            String received = readUntil(server.getInputStream(), "ABOR\r\nNOOP\r\n");
            assertThat(received).as("the DM was urgent: a socket without SO_OOBINLINE never sees it")
                    .isEqualTo("NOOP\r\n\u00ff\u00f4\u00ffABOR\r\nNOOP\r\n");

            server.getOutputStream().write(latin1("200 ok\r\n226 ABOR successful\r\n200 ok\r\n"));
            assertThat(readLine(client.getInputStream())).isEqualTo("200 ok\r\n");
            assertThat(readLine(client.getInputStream())).isEqualTo("226 ABOR successful\r\n");
            assertThat(readLine(client.getInputStream())).isEqualTo("200 ok\r\n");
        });
    }

    @Test
    @Timeout(30)
    void withUrgentDataInlineTheUpstreamReadsExactlyWhatTheClientSent() throws Exception {
        throughRelay(true, (client, server) -> {
            client.getOutputStream().write(latin1("RETR x\r\n\u00ff\u00f4\u00ff"));
            client.sendUrgentData(0xf2);
            client.getOutputStream().write(latin1("ABOR\r\n"));
            assertThat(readUntil(server.getInputStream(), "ABOR\r\n"))
                    .isEqualTo("RETR x\r\n\u00ff\u00f4\u00ff\u00f2ABOR\r\n");
        });
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws Exception {
        return readUntil(in, "\n");
    }

    private static String readUntil(InputStream in, String end) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("stream ended after: " + got.toString(StandardCharsets.ISO_8859_1));
            }
            got.write(b);
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
