package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.agent.Agent;
import dev.ferry.agent.admin.AgentAdmin;
import dev.ferry.agent.link.LinkOutcome;
import dev.ferry.link.admin.AdminServer;
import dev.ferry.link.admin.AdminSettings;
import dev.ferry.relay.tls.RelayCertificate;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's admin listener: /readyz follows the link and the FTP server; /metrics; TLS with given PEM files. */
class AgentAdminTest {
    @TempDir
    Path temp;

    @Test
    void readyzFollowsTheRelayLinkAndTheUpstreamServer() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        EmbeddedUpstream upstream = EmbeddedUpstream.start("127.0.0.6", home);
        try (Tunnel tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")))) {
            Agent agent = new Agent(tunnel.agentConfig(tunnel.token, tunnel.pin(), upstream.address()), new SecureRandom());
            Path tokenFile = temp.resolve("agent-admin.token");
            AdminSettings settings = new AdminSettings(new InetSocketAddress("127.0.0.1", FreePorts.find("127.0.0.1")),
                    tokenFile, false);
            try (AdminServer admin = AgentAdmin.start(settings, null, null, agent.readiness(), agent.meters(),
                    new SecureRandom())) {
                AdminHttp http = new AdminHttp("127.0.0.1", admin.port(), tokenFile);
                AdminHttp.Reply before = http.get("/readyz");
                assertThat(before.status()).isEqualTo(503);
                assertThat(check(before.json(), "relay-link").get("ok").asBoolean()).isFalse();

                CompletableFuture<LinkOutcome> run = CompletableFuture.supplyAsync(agent::run);
                try {
                    assertThat(agent.awaitLive(Duration.ofSeconds(30))).isTrue();
                    AdminHttp.Reply ready = http.get("/readyz");
                    assertThat(ready.status()).as(ready.body()).isEqualTo(200);
                    assertThat(ready.json().get("checks").findValuesAsText("name"))
                            .containsExactly("relay-link", "upstream", "draining");

                    AdminHttp.Reply metrics = http.get("/metrics");
                    assertThat(metrics.status()).isEqualTo(200);
                    assertThat(metrics.raw().headers().firstValue("Content-Type"))
                            .hasValue("text/plain; version=0.0.4; charset=utf-8");
                    assertThat(metrics.body()).contains("jvm_threads_live_threads ");

                    upstream.close();
                    AdminHttp.Reply down = http.get("/readyz");
                    assertThat(down.status()).isEqualTo(503);
                    JsonNode check = check(down.json(), "upstream");
                    assertThat(check.get("ok").asBoolean()).isFalse();
                    assertThat(check.get("detail").asText()).startsWith("cannot connect to FTP server 127.0.0.6:");
                } finally {
                    agent.close();
                    run.get(30, TimeUnit.SECONDS);
                }
                assertThat(check(http.get("/readyz").json(), "relay-link").get("ok").asBoolean()).isFalse();
            }
        } finally {
            upstream.close();
        }
    }

    @Test
    void withACertificateTheAgentsListenerSpeaksTls() throws Exception {
        Path cert = temp.resolve("admin-cert.pem");
        Path key = temp.resolve("admin-key.pem");
        RelayCertificate.generate(cert, key, "agent.admin.test", new SecureRandom());
        Agent agent = new Agent(new dev.ferry.agent.AgentConfig("127.0.0.1", 7835, "t", null, true,
                new InetSocketAddress("127.0.0.1", 21), 1, dev.ferry.link.LinkWindow.DEFAULT), new SecureRandom());
        int port = FreePorts.find("127.0.0.1");
        Path tokenFile = temp.resolve("agent.token");
        try (AdminServer admin = AgentAdmin.start(new AdminSettings(new InetSocketAddress("127.0.0.1", port), tokenFile,
                true), cert, key, agent.readiness(), agent.meters(), new SecureRandom())) {
            assertThat(admin.tls()).isTrue();
            String token = Files.readString(tokenFile).strip();
            Programs.Result metrics = Programs.run(60, List.of("curl", "-sS", "--cacert", cert.toString(), "--resolve",
                    "agent.admin.test:" + port + ":127.0.0.1", "-H", "Authorization: Bearer " + token,
                    "https://agent.admin.test:" + port + "/metrics"));
            assertThat(metrics.exit()).as(metrics.err()).isZero();
            assertThat(metrics.out()).contains("# TYPE jvm_memory_used_bytes gauge");
        }
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
