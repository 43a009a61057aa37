package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay opens a passive data stream as soon as it has rewritten the 227/229: the agent is
 * connected to the FTP server's passive port before the client connects to the relay's. When the
 * client never connects (it asks for another port, lets the lease expire, or quits), the agent's
 * connection to the server is closed and the relay's port is given back: nothing is left open.
 * A scripted upstream stands in for the FTP server so the test sees each data connection the agent makes.
 */
class EarlyDataStreamTest {
    @TempDir
    Path temp;

    private ServerSocket upstream;
    private Tunnel tunnel;
    private Thread server;
    /** Data connections the agent made to the scripted server's passive ports, in order. */
    private final BlockingQueue<Socket> dataConnections = new LinkedBlockingQueue<>();

    private void start(Duration leaseTimeout) throws Exception {
        upstream = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.6"));
        server = new Thread(this::serve, "scripted-ftp");
        server.setDaemon(true);
        server.start();
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")), b -> b.passiveLeaseTimeout(leaseTimeout))
                .startAgent(new InetSocketAddress("127.0.0.6", upstream.getLocalPort()));
    }

    @AfterEach
    void stop() throws Exception {
        if (tunnel != null) {
            tunnel.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        for (Socket s : dataConnections) {
            s.close();
        }
    }

    /** One session at a time: 220, any login, and a fresh passive port (accepting in the background) per PASV/EPSV. */
    private void serve() {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                out.write("220 scripted\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line; (line = in.readLine()) != null; ) {
                    String verb = line.split(" ", 2)[0];
                    String reply = switch (verb) {
                        case "USER" -> "331 Password please.";
                        case "PASS" -> "230 Logged in.";
                        case "EPSV" -> "229 Entering Extended Passive Mode (|||" + listen() + "|)";
                        case "QUIT" -> "221 Bye.";
                        default -> "502 Not implemented.";
                    };
                    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    if (verb.equals("QUIT")) {
                        break;
                    }
                }
            } catch (IOException e) {
                // session over
            }
        }
    }

    private int listen() throws IOException {
        ServerSocket data = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.6"));
        Thread t = new Thread(() -> {
            try (ServerSocket d = data) {
                d.setSoTimeout(30_000);
                dataConnections.add(d.accept());
            } catch (IOException e) {
                // nobody came
            }
        }, "scripted-data");
        t.setDaemon(true);
        t.start();
        return data.getLocalPort();
    }

    private static RawControl login(int port) throws IOException {
        RawControl control = new RawControl("127.0.0.1", port);
        assertThat(control.reply()).startsWith("220");
        assertThat(control.send("USER anonymous")).startsWith("331");
        assertThat(control.send("PASS x")).startsWith("230");
        return control;
    }

    private static int epsvPort(String reply) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)").matcher(reply);
        assertThat(m.find()).as("229 reply: %s", reply).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** The agent's data connection to the server: it came before any client connected to the relay's port. */
    private Socket serverSideOpened() throws InterruptedException {
        Socket s = dataConnections.poll(15, TimeUnit.SECONDS);
        assertThat(s).as("the agent's connection to the server's passive port, before the client's").isNotNull();
        return s;
    }

    /** The server sees its data connection end (FIN or reset): the agent let go of it. */
    private static void assertClosedByAgent(Socket serverSide) throws IOException {
        serverSide.setSoTimeout(20_000);
        InputStream in = serverSide.getInputStream();
        try {
            assertThat(in.read()).isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the agent's data connection to the server is still open", e);
        } catch (IOException reset) {
            // a reset ends it as well
        }
    }

    private void assertNothingLeft() {
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> tunnel.relay.dataPorts().leasedCount() == 0);
    }

    @Test
    void theServersSideOpensBeforeTheClientConnectsAndCarriesTheTransfer() throws Exception {
        start(Duration.ofSeconds(30));
        try (RawControl control = login(tunnel.ftpPort)) {
            int port = epsvPort(control.send("EPSV"));
            Socket serverSide = serverSideOpened();
            try (Socket client = new Socket(Tunnel.RELAY_HOST, port)) {
                client.setSoTimeout(10_000);
                serverSide.getOutputStream().write("early bytes".getBytes(StandardCharsets.US_ASCII));
                serverSide.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("early bytes");
            }
        }
    }

    @Test
    void anotherEpsvClosesTheUnusedServerSide() throws Exception {
        start(Duration.ofSeconds(30));
        try (RawControl control = login(tunnel.ftpPort)) {
            epsvPort(control.send("EPSV"));
            Socket first = serverSideOpened();
            epsvPort(control.send("EPSV"));
            Socket second = serverSideOpened();
            assertClosedByAgent(first);
            assertThat(tunnel.relay.dataPorts().leasedCount()).isEqualTo(1);
            assertThat(second.isClosed()).isFalse();
        }
        assertNothingLeft();
    }

    @Test
    void anExpiredLeaseClosesTheServerSide() throws Exception {
        start(Duration.ofSeconds(2));
        try (RawControl control = login(tunnel.ftpPort)) {
            epsvPort(control.send("EPSV"));
            Socket serverSide = serverSideOpened();
            assertClosedByAgent(serverSide);
            assertNothingLeft();
            assertThat(control.send("NOOP")).startsWith("502"); // the session goes on
        }
    }

    @Test
    void quittingClosesTheServerSide() throws Exception {
        start(Duration.ofSeconds(30));
        Socket serverSide;
        try (RawControl control = login(tunnel.ftpPort)) {
            epsvPort(control.send("EPSV"));
            serverSide = serverSideOpened();
            assertThat(control.send("QUIT")).startsWith("221");
        }
        assertClosedByAgent(serverSide);
        assertNothingLeft();
    }
}
