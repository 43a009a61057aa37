package dev.ferry.link.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener with a real HTTP client on 127.0.0.1. */
class AdminServerTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicBoolean broken = new AtomicBoolean();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private AdminServer server;
    private String token;

    @BeforeEach
    void start() throws Exception {
        JvmMeters.bindTo(meters);
        Readiness readiness = new Readiness()
                .add("always", () -> Readiness.Status.ok("fine"))
                .add("switch", () -> broken.get() ? Readiness.Status.failing("switched off") : Readiness.Status.ok("on"));
        AdminSettings settings = new AdminSettings(new InetSocketAddress("127.0.0.1", 0), dir.resolve("admin.token"), false);
        server = AdminServer.start(settings, new SecureRandom(), readiness, meters, () -> null, "use loopback");
        token = Files.readString(dir.resolve("admin.token")).strip();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void livezNeedsNoTokenEverythingElseDoes() throws Exception {
        HttpResponse<String> live = get("/livez", null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(mapper.readTree(live.body()).get("status").asText()).isEqualTo("live");

        for (String path : new String[] {"/readyz", "/metrics", "/", "/anything"}) {
            HttpResponse<String> none = get(path, null);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
            HttpResponse<String> wrong = get(path, "Bearer " + token.substring(1) + "x");
            assertThat(wrong.statusCode()).as(path).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain(token.substring(1));
        }
        assertThat(get("/readyz", "Bearer " + token).statusCode()).isEqualTo(200);
    }

    @Test
    void readyzIs200WhenEveryCheckPassesAnd503NamingTheFailingOne() throws Exception {
        HttpResponse<String> ready = get("/readyz", "Bearer " + token);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.headers().firstValue("Content-Type")).hasValue(JsonReplies.CONTENT_TYPE);
        JsonNode body = mapper.readTree(ready.body());
        assertThat(body.get("ready").asBoolean()).isTrue();
        assertThat(body.get("checks").findValuesAsText("name")).containsExactly("always", "switch");

        broken.set(true);
        HttpResponse<String> notReady = get("/readyz", "Bearer " + token);
        assertThat(notReady.statusCode()).isEqualTo(503);
        JsonNode failing = mapper.readTree(notReady.body());
        assertThat(failing.get("ready").asBoolean()).isFalse();
        assertThat(failing.get("checks").get(1).get("ok").asBoolean()).isFalse();
        assertThat(failing.get("checks").get(1).get("detail").asText()).isEqualTo("switched off");
    }

    @Test
    void metricsIsPrometheusTextWithJvmMeters() throws Exception {
        meters.counter("ferry_test_total").increment(3);
        HttpResponse<String> metrics = get("/metrics", "Bearer " + token);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains("# TYPE jvm_memory_used_bytes gauge").contains("ferry_test_total 3.0");

        HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(open.headers().firstValue("Content-Type")).hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(open.body()).contains("ferry_test_total 3.0").endsWith("# EOF\n");
    }

    @Test
    void theStatusPageHookServesSlashOnlyOnceMountedAndBehindTheToken() throws Exception {
        assertThat(get("/", "Bearer " + token).statusCode()).isEqualTo(404);
        server.mount("/", exchange -> JsonReplies.sendBytes(exchange, 200, "text/html; charset=utf-8",
                "<h1>status</h1>".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> page = get("/", "Bearer " + token);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("<h1>status</h1>");
        assertThat(get("/", null).statusCode()).isEqualTo(401);
        assertThat(get("/nothing-here", "Bearer " + token).statusCode()).isEqualTo(404);
    }

    @Test
    void plainHttpOffLoopbackIsRefusedNamingTheFlagAndNothingListens() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        AdminSettings wildcard = new AdminSettings(new InetSocketAddress("0.0.0.0", port), dir.resolve("other.token"), false);
        assertThat(wildcard.tls()).isTrue();
        assertThatThrownBy(() -> AdminServer.start(wildcard, new SecureRandom(), new Readiness(), meters, () -> null,
                "give --admin-tls-cert"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--admin-listen 0.0.0.0:" + port + ": not a loopback address, so plain HTTP is refused and "
                        + "TLS needs a certificate; give --admin-tls-cert");
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        assertThat(Files.exists(wildcard.tokenFile())).as("no token written for a refused start").isFalse();
    }

    @Test
    void aPortInUseIsAnErrorNamingTheFlag() throws Exception {
        AdminSettings same = new AdminSettings(new InetSocketAddress("127.0.0.1", server.port()), dir.resolve("t2"), false);
        assertThatThrownBy(() -> AdminServer.start(same, new SecureRandom(), new Readiness(), meters, () -> null, "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--admin-listen 127.0.0.1:" + server.port());
    }
}
