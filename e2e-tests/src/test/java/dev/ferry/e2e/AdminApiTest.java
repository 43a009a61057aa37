package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.link.LinkWindow;
import dev.ferry.link.admin.AdminSettings;
import dev.ferry.relay.tunnel.TunnelStore;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay's admin listener on a loopback address: the tunnel API (a tunnel added over HTTP serves an
 * FTP login at once, a removed one closes its port), JSON errors naming the field, and /readyz
 * following tunnel ports, tunnel files and draining. Clients: java.net.http and curl.
 */
class AdminApiTest {
    private static Path temp;
    private static Path dataDir;
    private static EmbeddedUpstream upstream;
    private static Tunnel tunnel;
    private static AdminHttp admin;
    private static int adminPort;
    private static byte[] served;

    @BeforeAll
    static void start() throws Exception {
        temp = Files.createTempDirectory("ferry-admin-");
        Path home = Files.createDirectories(temp.resolve("home"));
        served = new byte[300_000];
        new SecureRandom().nextBytes(served);
        Files.write(home.resolve("served.bin"), served);
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        dataDir = Files.createDirectories(temp.resolve("relay"));
        adminPort = FreePorts.find(Tunnel.RELAY_HOST);
        tunnel = Tunnel.startRelay(dataDir, b -> b.admin(new AdminSettings(
                new InetSocketAddress(Tunnel.RELAY_HOST, adminPort), dataDir.resolve("admin.token"), false)));
        admin = new AdminHttp(Tunnel.RELAY_HOST, adminPort, dataDir.resolve("admin.token"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (tunnel != null) {
            tunnel.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void aTunnelAddedOverTheApiServesAnFtpLoginAtOnceAndRemovingItClosesItsPort() throws Exception {
        int port = FreePorts.find(Tunnel.RELAY_HOST);
        AdminHttp.Reply added = admin.send("POST", "/api/tunnels",
                "{\"name\": \"API.ftp.example.net\", \"ftpPort\": " + port + "}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        JsonNode body = added.json();
        assertThat(body.get("name").asText()).isEqualTo("api.ftp.example.net");
        assertThat(body.get("ftpPort").asInt()).isEqualTo(port);
        assertThat(body.get("listening").asBoolean()).isTrue();
        String token = body.get("token").asText();
        assertThat(body.get("agentCommand").asText()).contains("--token " + token)
                .contains("--pin " + tunnel.pin()).contains("--relay " + Tunnel.RELAY_HOST + ":" + tunnel.relay.agentPort());
        assertThat(added.raw().headers().firstValue("Location")).hasValue("/api/tunnels/api.ftp.example.net");
        // The store holds only the hash, as after 'tunnel add'.
        assertThat(Files.readString(dataDir.resolve("tunnels/api.ftp.example.net.tunnel"))).doesNotContain(token);

        Agent agent = new Agent(new AgentConfig("127.0.0.1", tunnel.relay.agentPort(), token, tunnel.pin(), false,
                upstream.address(), 1, LinkWindow.DEFAULT), new SecureRandom());
        CompletableFuture<LinkOutcome> run = CompletableFuture.supplyAsync(agent::run);
        try {
            assertThat(agent.awaitLive(Duration.ofSeconds(30))).isTrue();
            FTPClient ftp = new FTPClient();
            ftp.setDefaultTimeout(20_000);
            ftp.connect(Tunnel.RELAY_HOST, port);
            assertThat(ftp.getReplyCode()).isEqualTo(220);
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            assertThat(ftp.getReplyCode()).isEqualTo(230);
            ftp.setFileType(FTP.BINARY_FILE_TYPE);
            ftp.enterLocalPassiveMode();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("served.bin", got)).as(ftp.getReplyString()).isTrue();
            assertThat(Checksums.sha256(new java.io.ByteArrayInputStream(got.toByteArray())))
                    .isEqualTo(Checksums.sha256(new java.io.ByteArrayInputStream(served)));
            ftp.logout();
            ftp.disconnect();

            JsonNode listed = admin.get("/api/tunnels").json();
            JsonNode entry = find(listed, "api.ftp.example.net");
            assertThat(entry.get("ftpPort").asInt()).isEqualTo(port);
            assertThat(entry.get("agentConnected").asBoolean()).isTrue();
            assertThat(entry.get("listening").asBoolean()).isTrue();

            AdminHttp.Reply removed = admin.send("DELETE", "/api/tunnels/api.ftp.example.net", null);
            assertThat(removed.status()).as(removed.body()).isEqualTo(200);
            assertThatThrownBy(() -> new Socket(Tunnel.RELAY_HOST, port).close()).isInstanceOf(ConnectException.class);
            assertThat(find(admin.get("/api/tunnels").json(), "api.ftp.example.net")).isNull();
            assertThat(Files.exists(dataDir.resolve("tunnels/api.ftp.example.net.tunnel"))).isFalse();
            // The relay revoked the removed tunnel's agent: it is refused for good.
            assertThat(run.get(30, TimeUnit.SECONDS).permanent()).isTrue();

            AdminHttp.Reply again = admin.send("DELETE", "/api/tunnels/api.ftp.example.net", null);
            assertThat(again.status()).isEqualTo(404);
            assertThat(again.json().get("field").asText()).isEqualTo("name");
        } finally {
            agent.close();
            run.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSharedOnlyTunnelIsAddedWithoutAPortAndListedAsSuch() throws Exception {
        AdminHttp.Reply added = admin.send("POST", "/api/tunnels", "{\"name\": \"shared.ftp.example.net\", \"requireTls\": true}");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().get("ftpPort").isNull()).isTrue();
        JsonNode entry = find(admin.get("/api/tunnels").json(), "shared.ftp.example.net");
        assertThat(entry.get("ftpPort").isNull()).isTrue();
        assertThat(entry.get("requireTls").asBoolean()).isTrue();
        assertThat(entry.get("agentConnected").asBoolean()).isFalse();
        assertThat(new TunnelStore(dataDir).find("shared.ftp.example.net")).hasValueSatisfying(
                t -> assertThat(t.tls().requireTls()).isTrue());
        assertThat(admin.send("DELETE", "/api/tunnels/shared.ftp.example.net", null).status()).isEqualTo(200);
    }

    @Test
    void badRequestsAreAnswered4xxInJsonNamingTheField() throws Exception {
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": "), 400, null, "not JSON");
        assertError(admin.send("POST", "/api/tunnels", "[1, 2]"), 400, null, "JSON object");
        assertError(admin.send("POST", "/api/tunnels", "{\"ftpPort\": 2121}"), 400, "name", "'name' is required");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": 42}"), 400, "name", "must be a string");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"under_score!\"}"), 400, "name", "domain name");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"ok.example.net\", \"ftpPort\": 70000}"), 400,
                "ftpPort", "1-65535");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"ok.example.net\", \"ftpPort\": \"21\"}"), 400,
                "ftpPort", "whole number");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"ok.example.net\", \"requireTls\": \"yes\"}"), 400,
                "requireTls", "true or false");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"ok.example.net\", \"colour\": \"blue\"}"), 400,
                "colour", "unknown field");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"" + Tunnel.NAME + "\"}"), 409, "name",
                "already exists");
        assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"other.example.net\", \"ftpPort\": " + tunnel.ftpPort
                + "}"), 409, "ftpPort", "already used by tunnel " + Tunnel.NAME);
        assertError(admin.send("PUT", "/api/tunnels", "{}"), 405, null, "not allowed");
        assertError(admin.send("DELETE", "/api/tunnels/Not_A_Name", null), 400, "name", "domain name");
        // Nothing was written by any of them.
        assertThat(new TunnelStore(dataDir).list()).extracting(t -> t.name()).doesNotContain("ok.example.net",
                "other.example.net");
    }

    @Test
    void readyzTurns503WhileATunnelPortCannotBeBoundAndRecoversWhenItCan() throws Exception {
        assertThat(admin.get("/readyz").status()).isEqualTo(200);
        int port;
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(Tunnel.RELAY_HOST, 0));
            port = squatter.getLocalPort();
            AdminHttp.Reply added = admin.send("POST", "/api/tunnels", "{\"name\": \"busy.example.net\", \"ftpPort\": " + port + "}");
            assertThat(added.status()).as(added.body()).isEqualTo(201);
            assertThat(added.json().get("listening").asBoolean()).isFalse();

            AdminHttp.Reply ready = admin.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            JsonNode check = check(ready.json(), "tunnel-ports");
            assertThat(check.get("ok").asBoolean()).isFalse();
            assertThat(check.get("detail").asText()).isEqualTo("cannot listen on FTP port " + port + " (tunnel busy.example.net)");
        }
        // The relay retries at every poll (1 s): once the port is free it binds and is ready again.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> admin.get("/readyz").status() == 200);
        assertThat(tunnel.relay.ftpPort("busy.example.net")).hasValue(port);
        assertThat(admin.send("DELETE", "/api/tunnels/busy.example.net", null).status()).isEqualTo(200);
    }

    @Test
    void readyzTurns503WhileATunnelFileIsUnreadableOrTheRelayDrains() throws Exception {
        assertThat(admin.get("/readyz").status()).isEqualTo(200);
        Path broken = dataDir.resolve("tunnels/broken.example.net.tunnel");
        Files.writeString(broken, "name=broken.example.net\n");
        try {
            AdminHttp.Reply ready = admin.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            JsonNode check = check(ready.json(), "tunnel-store");
            assertThat(check.get("ok").asBoolean()).isFalse();
            assertThat(check.get("detail").asText()).contains("broken.example.net.tunnel").contains("'ftpPort' is missing");
            // The API reports it and refuses adds while it is there, as the CLI does.
            assertThat(admin.get("/api/tunnels").json().get("unreadable").get(0).get("tunnel").asText())
                    .isEqualTo("broken.example.net");
            assertError(admin.send("POST", "/api/tunnels", "{\"name\": \"new.example.net\"}"), 409, "name", "unreadable");
        } finally {
            Files.delete(broken);
        }
        assertThat(admin.get("/readyz").status()).isEqualTo(200);

        tunnel.relay.setDraining(true);
        try {
            AdminHttp.Reply draining = admin.get("/readyz");
            assertThat(draining.status()).isEqualTo(503);
            assertThat(check(draining.json(), "draining").get("ok").asBoolean()).isFalse();
        } finally {
            tunnel.relay.setDraining(false);
        }
        AdminHttp.Reply ready = admin.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("checks").findValuesAsText("name"))
                .containsExactly("agent-endpoint", "tunnel-ports", "tunnel-store", "draining");
    }

    @Test
    void curlWithTheTokenFileGetsTheTunnelsAndMetricsWithoutItA401() throws Exception {
        String url = "http://" + Tunnel.RELAY_HOST + ":" + adminPort;
        Programs.Result list = Programs.run(60, List.of("curl", "-sS", "-H", "Authorization: Bearer " + admin.token,
                url + "/api/tunnels"));
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("\"name\" : \"" + Tunnel.NAME + "\"");

        Programs.Result metrics = Programs.run(60, List.of("curl", "-sS", "-D", "-", "-H",
                "Authorization: Bearer " + admin.token, url + "/metrics"));
        assertThat(metrics.exit()).as(metrics.err()).isZero();
        assertThat(metrics.out()).containsIgnoringCase("Content-Type: text/plain; version=0.0.4; charset=utf-8")
                .contains("jvm_memory_used_bytes{");

        Programs.Result refused = Programs.run(60, List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                url + "/api/tunnels"));
        assertThat(refused.out()).isEqualTo("401");
        Programs.Result live = Programs.run(60, List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                url + "/livez"));
        assertThat(live.out()).isEqualTo("200");
    }

    @Test
    void theCliAndTheApiAddingTheSameNameAtOnceLetExactlyOneWin() throws Exception {
        int attempts = 6;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(attempts * 2);
        try {
            List<java.util.concurrent.Future<Boolean>> wins = new java.util.ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                wins.add(pool.submit(() -> admin.send("POST", "/api/tunnels", "{\"name\": \"race.example.net\"}").status() == 201));
                wins.add(pool.submit(() -> {
                    picocli.CommandLine cl = dev.ferry.relay.cli.RelayMain.commandLine();
                    cl.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
                    cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
                    return cl.execute("tunnel", "add", "race.example.net", "--data-dir", dataDir.toString()) == 0;
                }));
            }
            int won = 0;
            for (java.util.concurrent.Future<Boolean> w : wins) {
                won += w.get(120, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(find(admin.get("/api/tunnels").json(), "race.example.net")).isNotNull();
        assertThat(Files.exists(new dev.ferry.relay.ftps.FtpsCertificates(dataDir).certFile("race.example.net"))).isTrue();
        assertThat(admin.send("DELETE", "/api/tunnels/race.example.net", null).status()).isEqualTo(200);
        assertThat(Files.exists(new dev.ferry.relay.ftps.FtpsCertificates(dataDir).certFile("race.example.net"))).isFalse();
    }

    private static void assertError(AdminHttp.Reply reply, int status, String field, String says) throws Exception {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.raw().headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode body = reply.json();
        assertThat(body.get("error").asText()).as(reply.body()).contains(says);
        if (field == null) {
            assertThat(body.has("field")).as(reply.body()).isFalse();
        } else {
            assertThat(body.get("field").asText()).as(reply.body()).isEqualTo(field);
        }
    }

    private static JsonNode find(JsonNode listed, String name) {
        for (JsonNode t : listed.get("tunnels")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static JsonNode check(JsonNode report, String name) {
        for (JsonNode c : report.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + report);
    }
}
