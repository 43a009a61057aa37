package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.link.admin.AdminSettings;
import dev.ferry.relay.observe.ObserveSettings;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Test;

/**
 * The status page at {@code /} of the relay's admin listener, loaded in headless Chromium (Debian's
 * {@code chromium}) while a download runs: the transfer shows, with its file name escaped (it holds
 * HTML). The screenshot stays in {@code target/status-page.png}. The admin listener wants a bearer
 * token, which a browser does not send by itself, so the test puts a small forwarding proxy in
 * front that adds it, as an operator's reverse proxy would.
 */
class StatusPageInChromiumTest {
    /** A file name a client chose: HTML in it must show as text, never as markup. */
    private static final String NAME = "big <b onclick=x>bold & \"more\".bin";

    @Test
    void aRunningDownloadShowsOnThePageInChromium() throws Exception {
        Path temp = Files.createTempDirectory("ferry-status-");
        Path home = Files.createDirectories(temp.resolve("home"));
        Checksums.randomFile(home.resolve(NAME), 64L << 20, 3);
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        int adminPort = FreePorts.find(Tunnel.RELAY_HOST);
        HttpServer proxy = null;
        FTPClient ftp = new FTPClient();
        try (EmbeddedUpstream upstream = EmbeddedUpstream.start("127.0.0.6", home);
                Tunnel tunnel = Tunnel.startRelay(dataDir, TlsPolicy.NONE,
                        b -> b.admin(new AdminSettings(new InetSocketAddress(Tunnel.RELAY_HOST, adminPort),
                                dataDir.resolve("admin.token"), false)), ObserveSettings.DEFAULTS)
                        .startAgent(upstream.address())) {
            proxy = tokenProxy("http://" + Tunnel.RELAY_HOST + ":" + adminPort,
                    Files.readString(dataDir.resolve("admin.token")).strip());
            String page = "http://127.0.0.1:" + proxy.getAddress().getPort() + "/";

            ftp.setDefaultTimeout(20_000);
            ftp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort);
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            ftp.setFileType(FTP.BINARY_FILE_TYPE);
            ftp.enterLocalPassiveMode();
            InputStream download = ftp.retrieveFileStream(NAME);
            assertThat(download).as(ftp.getReplyString()).isNotNull();
            download.readNBytes(1 << 20); // then it stalls: the rest waits in buffers, the transfer stays open

            Path chromeProfile = Files.createDirectories(temp.resolve("chromium"));
            Programs.Result dom = chromium(chromeProfile, List.of("--dump-dom", page));
            assertThat(dom.exit()).as(dom.err()).isZero();
            String html = dom.out();
            assertThat(html).contains("Ferry relay").contains("<td>" + Tunnel.NAME + "</td>")
                    .contains("<td class=\"online\">online</td>").contains("<td>alice</td>")
                    .contains("<td>RETR big &lt;b onclick=x&gt;bold &amp; \"more\".bin</td>")
                    .contains("<td class=\"transfer\">RETR big &lt;b onclick=x&gt;bold &amp; \"more\".bin (pasv)</td>")
                    .doesNotContain("<b onclick");
            assertThat(html).containsPattern("<td class=\"num\">\\d+\\.\\d (KiB|MiB) in \\d+\\.\\d s</td>");

            Path shot = Path.of("target", "status-page.png").toAbsolutePath();
            Files.deleteIfExists(shot);
            Programs.Result picture = chromium(chromeProfile, List.of("--window-size=1280,720",
                    "--screenshot=" + shot, page));
            assertThat(picture.exit()).as(picture.err()).isZero();
            byte[] png = Files.readAllBytes(shot);
            assertThat(png).hasSizeGreaterThan(10_000);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
            download.close();
        } finally {
            if (ftp.isConnected()) {
                ftp.disconnect();
            }
            if (proxy != null) {
                proxy.stop(0);
            }
            AccessLogTest.deleteTree(temp);
        }
    }

    private static Programs.Result chromium(Path profile, List<String> args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox",
                "--disable-gpu", "--user-data-dir=" + profile, "--hide-scrollbars"));
        command.addAll(args);
        return Programs.run(120, command);
    }

    /** Forwards GET requests to {@code target}, adding the admin bearer token (as a reverse proxy in front of the admin listener would). */
    private static HttpServer tokenProxy(String target, String token) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", exchange -> {
            try (exchange) {
                HttpResponse<byte[]> reply = http.send(HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                reply.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
                exchange.sendResponseHeaders(reply.statusCode(), reply.body().length == 0 ? -1 : reply.body().length);
                if (reply.body().length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(reply.body());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return server;
    }
}
