package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.config.Limits;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTPClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks on a running relay over real sockets: each asserts the exact answer and that nothing got through. */
class AttackSuiteTest {
    private static final Limits LIMITS = new Limits(30, 1000, 20, Duration.ofSeconds(2), Duration.ofMinutes(10),
            3, 10, Duration.ofMinutes(1));

    @TempDir
    Path temp;

    EmbeddedUpstream upstream;
    Tunnel tunnel;

    @BeforeEach
    void start() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        Files.writeString(home.resolve("file.txt"), "data\n");
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")), b -> b.limits(LIMITS))
                .startAgent(upstream.address());
    }

    @AfterEach
    void stop() throws Exception {
        tunnel.close();
        upstream.close();
    }

    private RawControl login(String from) throws IOException {
        RawControl c = new RawControl(from, tunnel.ftpPort);
        assertThat(c.reply()).startsWith("220");
        assertThat(c.send("USER " + EmbeddedUpstream.USER)).startsWith("331");
        assertThat(c.send("PASS " + EmbeddedUpstream.PASSWORD)).startsWith("230");
        return c;
    }

    @Test
    void aPortScanOfThePassiveRangeFindsNothingOpen() throws Exception {
        for (int port = tunnel.passivePorts.low(); port <= tunnel.passivePorts.high(); port++) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(Tunnel.RELAY_HOST, port), 1000);
                throw new AssertionError("passive port " + port + " accepted a connection without a lease");
            } catch (ConnectException refused) {
                // expected: nothing listens until a PASV leases the port
            }
        }
        assertThat(tunnel.relay.dataPorts().leasedCount()).isZero();
    }

    @Test
    void tenThousandPasvWithoutADataConnectionHoldOneLease() throws Exception {
        try (RawControl c = login("127.0.0.1")) {
            Pattern hostPort = Pattern.compile("\\(127,0,0,5,(\\d+),(\\d+)\\)");
            for (int i = 0; i < 10_000; i++) {
                String reply = c.send("PASV");
                Matcher m = hostPort.matcher(reply);
                assertThat(m.find()).as("reply %d: %s", i, reply).isTrue();
            }
            assertThat(tunnel.relay.dataPorts().leasedCount()).isEqualTo(1);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> tunnel.relay.dataPorts().leasedCount() == 0);
    }

    @Test
    void fiftyParallelBruteForceLoginsGetTheIpRefused() throws Exception {
        // This relay gives logins time (the default 30 s) and takes 100 sessions per IP.
        tunnel.close();
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay2")),
                b -> b.limits(new Limits(100, 1000, 20, Duration.ofSeconds(30), Duration.ofMinutes(10), 3, 10,
                        Duration.ofMinutes(1)))).startAgent(upstream.address());
        List<CompletableFuture<String>> attempts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            attempts.add(CompletableFuture.supplyAsync(() -> {
                try (RawControl c = new RawControl("127.0.0.20", tunnel.ftpPort)) {
                    String greeting = c.reply();
                    if (!greeting.startsWith("220")) {
                        return greeting;
                    }
                    c.send("USER " + EmbeddedUpstream.USER);
                    String answer = c.send("PASS wrong-password");
                    c.socket.setSoTimeout(3000);
                    try {
                        return answer + " | " + c.in.readLine();
                    } catch (java.net.SocketTimeoutException stillOpen) {
                        return answer + " | (still open)";
                    }
                } catch (IOException e) {
                    return "io: " + e.getMessage();
                }
            }));
        }
        List<String> replies = new ArrayList<>();
        for (CompletableFuture<String> a : attempts) {
            replies.add(a.get(60, TimeUnit.SECONDS));
        }
        assertThat(replies).allMatch(r -> r.startsWith("530 "), "every wrong password gets the server's 530");
        // From the 10th failure on, the relay follows the 530 with its own 421 and hangs up.
        assertThat(replies.stream().filter(r -> r.endsWith(
                "| 421 Too many failed logins from your address; try again later."))).hasSizeGreaterThanOrEqualTo(40);
        // The right password from that address is refused now; another address is not affected.
        try (RawControl c = new RawControl("127.0.0.20", tunnel.ftpPort)) {
            assertThat(c.reply()).isEqualTo("421 Too many failed logins from your address; try again later.");
            assertThat(c.closedByPeer()).isTrue();
        }
        login("127.0.0.21").close();
    }

    @Test
    void slowDripSessionsThatNeverLogInAreClosedAtTheLoginDeadline() throws Exception {
        List<RawControl> drips = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RawControl c = new RawControl("127.0.0.30", tunnel.ftpPort);
            assertThat(c.reply()).startsWith("220");
            c.out.write('U');
            c.out.flush();
            drips.add(c);
        }
        for (RawControl c : drips) {
            assertThat(c.reply()).isEqualTo("421 Login timeout: no successful login within 2 s.");
            assertThat(c.closedByPeer()).isTrue();
            c.close();
        }
    }

    @Test
    void sessionsPerIpAreCapped() throws Exception {
        List<RawControl> held = new ArrayList<>();
        try {
            for (int i = 0; i < LIMITS.sessionsPerIp(); i++) {
                RawControl c = new RawControl("127.0.0.40", tunnel.ftpPort);
                assertThat(c.reply()).startsWith("220");
                held.add(c);
            }
            try (RawControl extra = new RawControl("127.0.0.40", tunnel.ftpPort)) {
                assertThat(extra.reply()).isEqualTo("421 Service not available: too many connections from your address (30).");
                assertThat(extra.closedByPeer()).isTrue();
            }
            try (RawControl other = new RawControl("127.0.0.41", tunnel.ftpPort)) {
                assertThat(other.reply()).startsWith("220");
            }
        } finally {
            for (RawControl c : held) {
                c.close();
            }
        }
    }

    @Test
    void garbageAndAnHttp2FloodOnTheAgentPortAffectNobodyElse() throws Exception {
        Random random = new Random(1);
        List<Socket> junk = new ArrayList<>();
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 40; i++) {
            Socket s = new Socket("127.0.0.1", tunnel.relay.agentPort());
            byte[] bytes = new byte[64 * 1024];
            random.nextBytes(bytes);
            try {
                if (i % 2 == 0) {
                    s.getOutputStream().write(preface); // plaintext HTTP/2 at a TLS port, then noise
                }
                s.getOutputStream().write(bytes);
            } catch (SocketException closedEarly) {
                // the relay may hang up mid-write: that is the point
            }
            junk.add(s);
        }
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(10_000);
        ftp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort);
        assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
        ftp.enterLocalPassiveMode();
        assertThat(ftp.listNames()).contains("file.txt");
        ftp.disconnect();
        for (Socket s : junk) {
            s.setSoTimeout(15_000);
            try {
                while (s.getInputStream().read() >= 0) {
                    // drain whatever TLS alert the relay sent before hanging up
                }
            } catch (SocketException reset) {
                // closed with a reset: fine
            }
            s.close();
        }
    }

    @Test
    void aTlsClientHelloOnThePlainPortIsClosedWithinASecondAndLeavesNothingOpen() throws Exception {
        byte[] clientHello = {0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 7, 7, 7, 7};
        byte[] tlsAlert = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28}; // fatal handshake_failure
        // More than --max-sessions-per-ip (30): a session left behind would make the last login fail.
        for (int i = 0; i < 31; i++) {
            try (Socket implicitFtps = new Socket()) {
                implicitFtps.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.40"), 0));
                implicitFtps.connect(new InetSocketAddress(Tunnel.RELAY_HOST, tunnel.ftpPort), 5000);
                implicitFtps.getOutputStream().write(clientHello);
                implicitFtps.setSoTimeout(1000);
                byte[] got;
                try {
                    got = implicitFtps.getInputStream().readAllBytes(); // to the end: a timeout fails the test
                } catch (SocketException reset) {
                    got = new byte[0];
                }
                String text = new String(got, StandardCharsets.ISO_8859_1);
                assertThat(java.util.Arrays.equals(got, tlsAlert) || text.startsWith("220") || text.isEmpty())
                        .as("a TLS alert, or the greeting sent before the hello was seen: %s", text).isTrue();
            }
        }
        try (RawControl c = login("127.0.0.40")) {
            assertThat(c.send("NOOP")).startsWith("200");
        }
    }
}
