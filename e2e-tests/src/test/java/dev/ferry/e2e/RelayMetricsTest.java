package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.relay.config.Limits;
import dev.ferry.relay.observe.ObserveSettings;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every relay and agent metric changes as it should under real sessions (commons-net through a real
 * relay and agent to an embedded FTP server), read from the Prometheus scrape text. Each test uses
 * its own client address (127.0.0.x) so the per-IP limits of one do not touch another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayMetricsTest {
    /** Tight limits so refusals are reachable: 3 per IP, 5 per tunnel, 1 passive lease per IP, block after 3 failures. */
    private static final Limits LIMITS = new Limits(3, 5, 1, Duration.ofSeconds(30), Duration.ofMinutes(10), 3, 3,
            Duration.ofMinutes(15));
    private static final int PAYLOAD = 1 << 20;
    private static Path temp;
    private static EmbeddedUpstream upstream;
    private static Tunnel tunnel;

    @BeforeAll
    static void start() throws Exception {
        temp = Files.createTempDirectory("ferry-metrics-");
        Path home = Files.createDirectories(temp.resolve("home"));
        Checksums.randomFile(home.resolve("payload.bin"), PAYLOAD, 5);
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")), TlsPolicy.NONE, b -> b.limits(LIMITS),
                ObserveSettings.DEFAULTS).startAgent(upstream.address());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (tunnel != null) {
                tunnel.close();
            }
            if (upstream != null) {
                upstream.close();
            }
        } finally {
            AccessLogTest.deleteTree(temp);
        }
    }

    @BeforeEach
    void noSessionLeftFromTheTestBefore() {
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("ferry_relay_sessions_open") == 0);
    }

    private static Scrape scrape() {
        return new Scrape(tunnel.relay.meters().scrape());
    }

    private static FTPClient connect(String from) throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.connect(InetAddress.getByName(Tunnel.RELAY_HOST), tunnel.ftpPort, InetAddress.getByName(from), 0);
        return ftp;
    }

    @Test
    @Order(1)
    void buildInfoAgentsTunnelsAndPassiveCapacity() {
        Scrape s = scrape();
        assertThat(s.value("ferry_relay_build_info", "version", "dev")).isEqualTo(1);
        assertThat(s.value("ferry_relay_agents_connected")).isEqualTo(1);
        assertThat(s.value("ferry_relay_tunnels_online")).isEqualTo(1);
        assertThat(s.value("ferry_relay_tunnels_registered")).isEqualTo(1);
        assertThat(s.value("ferry_relay_passive_ports_capacity")).isEqualTo(tunnel.passivePorts.size());
        assertThat(s.value("ferry_relay_passive_ports_in_use")).isZero();
        Scrape agent = new Scrape(tunnel.agent().meters().scrape());
        assertThat(agent.value("ferry_agent_build_info", "version", "dev")).isEqualTo(1);
        assertThat(agent.value("ferry_agent_link_up")).isEqualTo(1);
        assertThat(agent.value("ferry_agent_link_attempts_total")).isEqualTo(1);
        assertThat(agent.value("ferry_agent_link_reconnects_total")).isZero();
    }

    @Test
    @Order(2)
    void aSessionCountsLoginsTransfersByModeBytesRewritesAndStreamLatency() throws Exception {
        Scrape before = scrape();
        byte[] upload = "sent with PORT\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
        FTPClient ftp = connect("127.0.0.1");
        try {
            assertThat(scrape().value("ferry_relay_sessions_open")).isEqualTo(1);
            assertThat(ftp.login(EmbeddedUpstream.USER, "not-the-password")).isFalse();
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            ftp.setFileType(FTP.BINARY_FILE_TYPE);

            // A PASV lease holds a port until its data connection comes (or a new PASV, or the session ends).
            assertThat(ftp.sendCommand("PASV")).isEqualTo(227);
            assertThat(scrape().value("ferry_relay_passive_ports_in_use")).isEqualTo(1);

            ftp.enterLocalPassiveMode();
            assertThat(ftp.retrieveFile("payload.bin", new ByteArrayOutputStream())).isTrue();
            assertThat(ftp.retrieveFile("missing.bin", new ByteArrayOutputStream())).isFalse();
            assertThat(ftp.getReplyCode()).isEqualTo(550);
            ftp.setUseEPSVwithIPv4(true);
            assertThat(ftp.retrieveFile("payload.bin", new ByteArrayOutputStream())).isTrue();
            ftp.setUseEPSVwithIPv4(false);
            ftp.enterLocalActiveMode();
            assertThat(ftp.storeFile("port-up.bin", new ByteArrayInputStream(upload))).as(ftp.getReplyString()).isTrue();
            try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                assertThat(ftp.sendCommand("EPRT", "|1|127.0.0.1|" + listener.getLocalPort() + "|")).isEqualTo(200);
                assertThat(ftp.sendCommand("RETR", "payload.bin")).isEqualTo(150);
                try (Socket data = listener.accept(); InputStream in = data.getInputStream()) {
                    assertThat(in.readAllBytes()).hasSize(PAYLOAD);
                }
                assertThat(ftp.getReply()).isEqualTo(226);
            }
            ftp.logout();
        } finally {
            ftp.disconnect();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("ferry_relay_sessions_open") == 0);
        Scrape after = scrape();
        Files.writeString(Path.of("target", "metrics-sample.txt"), after.text()); // the README's sample comes from here
        assertThat(delta(before, after, "ferry_relay_sessions_total", "outcome", "closed")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_logins_total", "result", "failed")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_logins_total", "result", "ok")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_transfers_total", "mode", "pasv", "outcome", "ok")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_transfers_total", "mode", "pasv", "outcome", "failed")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_transfers_total", "mode", "epsv", "outcome", "ok")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_transfers_total", "mode", "port", "outcome", "ok")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_transfers_total", "mode", "eprt", "outcome", "ok")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_transfer_bytes_total", "direction", "to_client")).isEqualTo(3.0 * PAYLOAD);
        assertThat(delta(before, after, "ferry_relay_transfer_bytes_total", "direction", "from_client")).isEqualTo(upload.length);
        assertThat(delta(before, after, "ferry_relay_passive_rewrites_total", "command", "pasv")).isEqualTo(3);
        assertThat(delta(before, after, "ferry_relay_passive_rewrites_total", "command", "epsv")).isEqualTo(1);
        // Each stream timed from ask to attach: one control, two active, three passive that carried data,
        // and maybe the unused PASV's (the server's side opens as soon as a PASV is answered; withdrawn
        // when the next PASV comes, it attaches or not depending on which is first).
        assertThat(delta(before, after, "ferry_relay_stream_open_seconds_count")).isBetween(6.0, 7.0);
        assertThat(after.value("ferry_relay_stream_open_seconds_bucket", "le", "+Inf"))
                .isEqualTo(after.value("ferry_relay_stream_open_seconds_count"));
        assertThat(after.value("ferry_relay_passive_ports_in_use")).isZero();
    }

    @Test
    @Order(3)
    void refusalsByPerIpCapAndTunnelCapAndSessionsOpen() throws Exception {
        Scrape before = scrape();
        List<FTPClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(connect("127.0.0.2"));
                assertThat(open.get(i).getReplyCode()).isEqualTo(220);
            }
            assertRefused("127.0.0.2", "too many connections from your address");
            for (int i = 0; i < 2; i++) {
                open.add(connect("127.0.0.3"));
                assertThat(open.get(open.size() - 1).getReplyCode()).isEqualTo(220);
            }
            assertThat(scrape().value("ferry_relay_sessions_open")).isEqualTo(5);
            assertRefused("127.0.0.3", "too many connections to " + Tunnel.NAME);
        } finally {
            for (FTPClient c : open) {
                c.disconnect();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("ferry_relay_sessions_open") == 0);
        Scrape after = scrape();
        assertThat(delta(before, after, "ferry_relay_sessions_refused_total", "reason", "per_ip_cap")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_sessions_refused_total", "reason", "tunnel_cap")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_sessions_total", "outcome", "closed_before_login")).isEqualTo(5);
    }

    @Test
    @Order(4)
    void tooManyFailedLoginsEndTheSessionAndThenRefuseTheAddress() throws Exception {
        Scrape before = scrape();
        FTPClient ftp = connect("127.0.0.4");
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(ftp.login(EmbeddedUpstream.USER, "wrong-" + i)).isFalse();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try {
                    return ftp.sendNoOp() && false;
                } catch (IOException e) {
                    return true; // closed by the relay
                }
            });
        } finally {
            ftp.disconnect();
        }
        assertRefused("127.0.0.4", "Too many failed logins");
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("ferry_relay_sessions_open") == 0);
        Scrape after = scrape();
        assertThat(delta(before, after, "ferry_relay_logins_total", "result", "failed")).isEqualTo(3);
        assertThat(delta(before, after, "ferry_relay_sessions_total", "outcome", "login_blocked")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_sessions_refused_total", "reason", "login_blocked")).isEqualTo(1);
    }

    @Test
    @Order(5)
    void aPassiveReplyWithNoFreeLeaseIsA425CountedByCause() throws Exception {
        Scrape before = scrape();
        FTPClient first = connect("127.0.0.7");
        FTPClient second = connect("127.0.0.7");
        try {
            assertThat(first.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            assertThat(second.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            assertThat(first.sendCommand("PASV")).isEqualTo(227);
            // --max-passive-per-ip 1: the first session holds the address's only lease.
            assertThat(second.sendCommand("PASV")).isEqualTo(425);
            assertThat(second.getReplyString()).contains("no passive port available");
        } finally {
            first.disconnect();
            second.disconnect();
        }
        Scrape after = scrape();
        assertThat(delta(before, after, "ferry_relay_data_failures_total", "code", "425", "cause", "no_passive_port"))
                .isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_passive_rewrites_total", "command", "pasv")).isEqualTo(1);
    }

    @Test
    @Order(6)
    void aClientFloodingWhileActiveModeIsPreparedIsCutOffAsTooMuchInput() throws Exception {
        Scrape before = scrape();
        try (Socket raw = new Socket()) {
            raw.bind(new InetSocketAddress("127.0.0.8", 0));
            raw.connect(new InetSocketAddress(Tunnel.RELAY_HOST, tunnel.ftpPort), 10_000);
            raw.setSoTimeout(20_000);
            InputStream in = raw.getInputStream();
            assertThat(readLine(in)).startsWith("220");
            // PORT makes the relay ask the agent to listen; what the client sends meanwhile is held, up to 64 KiB.
            byte[] flood = ("PORT 127,0,0,8,200,10\r\n" + "A".repeat(256 * 1024)).getBytes(StandardCharsets.US_ASCII);
            OutputStream out = raw.getOutputStream();
            try {
                out.write(flood);
                out.flush();
            } catch (IOException e) {
                // the relay may close before reading it all
            }
            try {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).contains("421 Too much input");
            } catch (java.net.SocketException e) {
                // the relay closed with flood bytes unread: the kernel resets, and the 421 may be lost with it
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("ferry_relay_sessions_open") == 0);
        Scrape after = scrape();
        assertThat(delta(before, after, "ferry_relay_sessions_refused_total", "reason", "too_much_input")).isEqualTo(1);
        assertThat(delta(before, after, "ferry_relay_sessions_total", "outcome", "too_much_input")).isEqualTo(1);
    }

    @Test
    @Order(7)
    void anAgentGoingAwayAndReconnectingIsCountedOnBothSides() throws Exception {
        Scrape before = scrape();
        tunnel.stopAgent();
        await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("ferry_relay_agents_connected") == 0);
        assertThat(scrape().value("ferry_relay_tunnels_online")).isZero();
        assertRefused("127.0.0.9", "is offline");
        assertThat(delta(before, scrape(), "ferry_relay_sessions_refused_total", "reason", "agent_offline")).isEqualTo(1);

        try (CuttableProxy proxy = CuttableProxy.start(new InetSocketAddress("127.0.0.1", tunnel.relay.agentPort()))) {
            tunnel.startAgent(upstream.address(), proxy.port());
            assertThat(scrape().value("ferry_relay_agents_connected")).isEqualTo(1);
            Scrape agent = new Scrape(tunnel.agent().meters().scrape());
            assertThat(agent.value("ferry_agent_link_reconnects_total")).isZero();
            assertThat(agent.value("ferry_agent_link_up")).isEqualTo(1);
            proxy.resetConnections();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Scrape a = new Scrape(tunnel.agent().meters().scrape());
                return a.value("ferry_agent_link_reconnects_total") >= 1 && a.value("ferry_agent_link_welcomes_total") == 2
                        && a.value("ferry_agent_link_up") == 1;
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> scrape().value("ferry_relay_agents_connected") == 1);
            tunnel.stopAgent();
        }
    }

    /** A client from {@code from} gets a 421 naming {@code why} as its greeting, and the connection closes. */
    private static void assertRefused(String from, String why) throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        try {
            ftp.connect(InetAddress.getByName(Tunnel.RELAY_HOST), tunnel.ftpPort, InetAddress.getByName(from), 0);
            throw new AssertionError("not refused: " + ftp.getReplyString());
        } catch (org.apache.commons.net.ftp.FTPConnectionClosedException e) {
            assertThat(ftp.getReplyString()).startsWith("421").contains(why);
        } finally {
            ftp.disconnect();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }
}
