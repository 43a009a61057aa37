package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.ferry.relay.observe.ObserveSettings;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --access-log}: one session with a failed login, a PASV RETR, an EPRT STOR and a
 * refused PORT, read back line by line; and no password or agent token anywhere an operator looks
 * (the access log, the relay's and agent's log at DEBUG, the relay's and agent's metrics).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessLogTest {
    private static final String WRONG_PASSWORD = "Wr0ng-pa55word-7f3a9c";
    private static Path temp;
    private static Path accessLog;
    private static Path home;
    private static EmbeddedUpstream upstream;
    private static Tunnel tunnel;
    private static LogCapture log;
    private static Level ferryLevel;

    @BeforeAll
    static void start() throws Exception {
        temp = Files.createTempDirectory("ferry-access-");
        home = Files.createDirectories(temp.resolve("home"));
        Checksums.randomFile(home.resolve("payload.bin"), 3L << 20, 21);
        accessLog = temp.resolve("logs/access.jsonl");
        Files.createDirectories(accessLog.getParent());
        Logger ferry = (Logger) LoggerFactory.getLogger("dev.ferry");
        ferryLevel = ferry.getLevel();
        ferry.setLevel(Level.DEBUG); // whatever the relay and agent would log, at any level
        log = LogCapture.of("dev.ferry");
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")), TlsPolicy.NONE, b -> b,
                new ObserveSettings(accessLog, ObserveSettings.DEFAULT_MAX_BYTES, 2, false)).startAgent(upstream.address());
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
            deleteTree(temp);
            log.close();
            ((Logger) LoggerFactory.getLogger("dev.ferry")).setLevel(ferryLevel);
        }
    }

    @Test
    @Order(1)
    void oneSessionIsLoggedLineByLine() throws Exception {
        byte[] upload = "uploaded over EPRT\n".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        long payloadSize = Files.size(home.resolve("payload.bin"));
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort);
        try {
            assertThat(ftp.login(EmbeddedUpstream.USER, WRONG_PASSWORD)).isFalse();
            assertThat(ftp.getReplyCode()).isEqualTo(530);
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            ftp.setFileType(FTPClient.BINARY_FILE_TYPE);

            ftp.enterLocalPassiveMode();
            ByteArrayOutputStream down = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("payload.bin", down)).as(ftp.getReplyString()).isTrue();
            assertThat((long) down.size()).isEqualTo(payloadSize);

            try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                assertThat(ftp.sendCommand("EPRT", "|1|127.0.0.1|" + listener.getLocalPort() + "|"))
                        .as(ftp.getReplyString()).isEqualTo(200);
                assertThat(ftp.sendCommand("STOR", "eprt-up.bin")).as(ftp.getReplyString()).isEqualTo(150);
                try (Socket data = listener.accept(); OutputStream out = data.getOutputStream()) {
                    out.write(upload);
                }
                assertThat(ftp.getReply()).as(ftp.getReplyString()).isEqualTo(226);
            }
            // PORT to a third party: the relay refuses it (the FTP bounce attack) and the server never sees it.
            assertThat(ftp.sendCommand("PORT", "127,0,0,9,200,10")).isEqualTo(501);
            ftp.logout();
        } finally {
            ftp.disconnect();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(accessLog).contains("\"event\":\"session\""));
        Files.copy(accessLog, Path.of("target", "access-log-sample.jsonl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<Map<String, Object>> lines = JsonLines.read(accessLog);
        assertThat(lines).hasSize(6);
        String session = (String) lines.get(0).get("session");
        for (Map<String, Object> line : lines) {
            assertThat(line).containsEntry("tunnel", Tunnel.NAME).containsEntry("client", "127.0.0.1")
                    .containsEntry("session", session).containsKey("time");
        }
        assertThat(lines.get(0)).containsEntry("event", "login").containsEntry("user", "alice")
                .containsEntry("result", "failed").containsEntry("code", 530L);
        assertThat(lines.get(1)).containsEntry("event", "login").containsEntry("user", "alice")
                .containsEntry("result", "ok").containsEntry("code", 230L);
        assertThat(lines.get(2)).containsEntry("event", "transfer").containsEntry("user", "alice")
                .containsEntry("command", "RETR").containsEntry("path", "payload.bin").containsEntry("mode", "pasv")
                .containsEntry("bytes_to_client", payloadSize).containsEntry("bytes_from_client", 0L)
                .containsEntry("code", 226L).doesNotContainKey("cause");
        assertThat(lines.get(3)).containsEntry("event", "transfer").containsEntry("command", "STOR")
                .containsEntry("path", "eprt-up.bin").containsEntry("mode", "eprt")
                .containsEntry("bytes_to_client", 0L).containsEntry("bytes_from_client", (long) upload.length)
                .containsEntry("code", 226L);
        assertThat(lines.get(4)).containsEntry("event", "data_command").containsEntry("command", "PORT")
                .containsEntry("argument", "127,0,0,9,200,10").containsEntry("mode", "port")
                .containsEntry("code", 501L).containsEntry("cause", "active_address_refused");
        assertThat((String) lines.get(4).get("reply")).startsWith("501 PORT must name your own address");
        assertThat(lines.get(5)).containsEntry("event", "session").containsEntry("user", "alice")
                .containsEntry("outcome", "closed").containsEntry("logins_failed", 1L).containsEntry("transfers", 2L)
                .containsEntry("bytes_to_client", payloadSize).containsEntry("bytes_from_client", (long) upload.length);
        assertThat((Long) lines.get(2).get("duration_ms")).isNotNegative();
        assertThat(Files.readAllBytes(home.resolve("eprt-up.bin"))).isEqualTo(upload);
    }

    @Test
    @Order(2)
    void noPasswordOrTokenAppearsAnywhere() throws Exception {
        // A session that sends both passwords again (and ACCT), so this test stands on its own.
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort);
        try {
            assertThat(ftp.login(EmbeddedUpstream.USER, WRONG_PASSWORD)).isFalse();
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            ftp.sendCommand("ACCT", WRONG_PASSWORD + "-acct");
            ftp.logout();
        } finally {
            ftp.disconnect();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> JsonLines.read(accessLog).stream()
                .filter(l -> "session".equals(l.get("event"))).count() == 2);
        String access = Files.readString(accessLog);
        String logged = String.join("\n", log.lines(Level.TRACE));
        String relayMetrics = tunnel.relay.meters().scrape();
        String agentMetrics = tunnel.agent().meters().scrape();
        assertThat(log.lines(Level.TRACE)).as("the relay and agent logged something at all").isNotEmpty();
        assertThat(access).contains("\"user\":\"alice\"");
        for (String secret : List.of(WRONG_PASSWORD, "PASS " + EmbeddedUpstream.PASSWORD, tunnel.token)) {
            assertThat(access).as("access log").doesNotContain(secret);
            assertThat(logged).as("relay and agent log").doesNotContain(secret);
            assertThat(relayMetrics).as("relay metrics").doesNotContain(secret);
            assertThat(agentMetrics).as("agent metrics").doesNotContain(secret);
        }
        assertThat(access).as("access log").doesNotContain(EmbeddedUpstream.PASSWORD);
    }

    static void deleteTree(Path root) throws java.io.IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
