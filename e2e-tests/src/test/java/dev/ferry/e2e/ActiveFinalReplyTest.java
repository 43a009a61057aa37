package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active mode against a server that sends its data and its 226 at once (as pure-ftpd does): the 226
 * reaches the relay apart from the data, often before the relay has connected to the client. The
 * client must get the 226 only after the relay's data connection to it is made and has everything,
 * and a 425, never a 226, when the relay cannot connect.
 */
class ActiveFinalReplyTest {
    @TempDir
    static Path temp;
    static TinyTunnel tiny;
    static Tunnel tunnel;
    static final byte[] LISTING = "-rw-r--r-- 1 ftp ftp 67 Dec 01 12:00 one-small-file-as-in-the-pure-ftpd-lab.txt\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @BeforeAll
    static void start() throws Exception {
        tiny = TinyTunnel.start(temp, LISTING, (hostPort, port) -> "227 Entering Passive Mode (" + hostPort + ")",
                port -> "229 Entering Extended Passive Mode (|||" + port + "|)");
        tunnel = tiny.tunnel;
    }

    @AfterAll
    static void stop() throws Exception {
        tiny.close();
    }

    @Test
    void curlListsInActiveModeOnAFreshRelay() throws Exception {
        // the first active transfer after start is where the 226 overtook the relay's connection (curl exit 8)
        for (int i = 0; i < 5; i++) {
            Programs.Result r = Programs.run(60, List.of("curl", "-sS", "--ftp-port", "-",
                    "ftp://" + Tunnel.RELAY_HOST + ":" + tunnel.ftpPort + "/"));
            assertThat(r.exit()).as("run %d: %s", i, r.err()).isZero();
            assertThat(r.out()).isEqualTo(new String(LISTING, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void the226ComesOnlyOnceTheDataConnectionIsMadeAndComplete() throws Exception {
        try (RawFtp ftp = login()) {
            for (int i = 0; i < 20; i++) {
                try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                    listener.bind(new InetSocketAddress("127.0.0.1", 0));
                    listener.configureBlocking(false);
                    int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                    assertThat(ftp.send("EPRT |1|127.0.0.1|" + port + "|")).startsWith("200 ");
                    assertThat(ftp.send("LIST")).startsWith("150 ");
                    assertThat(ftp.reply()).isEqualTo("226 Transfer complete.");
                    // the relay connected and sent the whole listing before the 226 left it
                    SocketChannel data = acceptQueued(listener);
                    assertThat(data).as("round %d: a data connection was made before the 226", i).isNotNull();
                    try (Socket s = data.socket()) {
                        data.configureBlocking(true);
                        assertThat(readAll(s.getInputStream())).isEqualTo(LISTING);
                    }
                }
            }
        }
    }

    @Test
    void aClientSlowToTakeTheConnectionGetsThe226OnlyAfterIt() throws Exception {
        // The client's accept queue is full when the relay dials, so the kernel drops the relay's SYN
        // and the relay's connection comes about a second later, long after the server's 226.
        try (RawFtp ftp = login(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            InetSocketAddress at = (InetSocketAddress) listener.getLocalAddress();
            List<SocketChannel> fillers = List.of(SocketChannel.open(at), SocketChannel.open(at));
            Thread freeQueue = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    for (int i = 0; i < fillers.size(); i++) {
                        listener.accept().close();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                assertThat(ftp.send("EPRT |1|127.0.0.1|" + at.getPort() + "|")).startsWith("200 ");
                assertThat(ftp.send("LIST")).startsWith("150 ");
                freeQueue.start();
                assertThat(ftp.reply()).isEqualTo("226 Transfer complete.");
                freeQueue.join();
                listener.configureBlocking(false);
                SocketChannel data = listener.accept();
                assertThat(data).as("the relay's data connection was made before the 226").isNotNull();
                try (Socket s = data.socket()) {
                    data.configureBlocking(true);
                    assertThat(readAll(s.getInputStream())).isEqualTo(LISTING);
                }
            } finally {
                for (SocketChannel f : fillers) {
                    f.close();
                }
            }
        }
    }

    @Test
    void whenTheRelayCannotConnectTheClientGets425AndNot226() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        try (RawFtp ftp = login()) {
            assertThat(ftp.send("EPRT |1|127.0.0.1|" + closed + "|")).startsWith("200 ");
            assertThat(ftp.send("LIST")).startsWith("150 ");
            assertThat(ftp.reply())
                    .isEqualTo("425 Can't open data connection: the relay could not connect to your data port.");
            assertThat(ftp.send("NOOP")).startsWith("502 "); // the session goes on, replies in order
        }
    }

    private static RawFtp login() throws IOException {
        RawFtp ftp = new RawFtp(new Socket(InetAddress.getByName(Tunnel.RELAY_HOST), tunnel.ftpPort,
                InetAddress.getByName("127.0.0.1"), 0));
        assertThat(ftp.reply()).startsWith("220 ");
        assertThat(ftp.send("USER anonymous")).startsWith("331 ");
        assertThat(ftp.send("PASS x@example.net")).startsWith("230 ");
        return ftp;
    }

    /** A connection already in the listener's queue, or null: never waits. */
    private static SocketChannel acceptQueued(ServerSocketChannel listener) throws IOException {
        return listener.accept();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
