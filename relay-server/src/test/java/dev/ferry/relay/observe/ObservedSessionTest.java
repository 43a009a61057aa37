package dev.ferry.relay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.gateway.FtpCommand;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edges of a session's record that a real client rarely produces: a transfer cut off by the session's end. */
class ObservedSessionTest {
    @TempDir
    Path dir;

    private static FtpCommand command(String line) {
        return FtpCommand.parse((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1)).forLog();
    }

    @Test
    void aTransferStillRunningWhenTheSessionEndsIsLoggedWithCodeZeroAndItsCause() throws Exception {
        Path file = dir.resolve("access.jsonl");
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LiveState live = new LiveState();
        try (AccessLog log = AccessLog.open(file, 1 << 20, 1)) {
            RelayObservations observations = new RelayObservations(new RelayMeters(registry, false, "t"), live, log, clock);
            ObservedSession s = observations.sessionOpened("9", "t.example.net", new InetSocketAddress("192.0.2.1", 5000));
            s.command(command("USER bob"));
            s.answered(command("PASS topsecret"), 230, "230 OK");
            s.command(command("EPSV"));
            s.answered(command("EPSV"), 229, "229 Entering Extended Passive Mode (|||40001|)");
            s.command(command("STOR half.bin"));
            assertThat(live.sessions()).singleElement().satisfies(v -> assertThat(v.transfer()).isPresent());
            s.ended();
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("\"event\":\"transfer\"", "\"command\":\"STOR\"", "\"mode\":\"epsv\"",
                "\"code\":0", "\"cause\":\"session_ended\"").doesNotContain("\"reply\"");
        assertThat(lines.get(2)).contains("\"event\":\"session\"", "\"transfers\":1", "\"outcome\":\"closed\"");
        assertThat(String.join("\n", lines)).doesNotContain("topsecret");
        assertThat(live.sessions()).isEmpty();
        assertThat(live.failures()).singleElement().satisfies(f -> assertThat(f.cause()).isEqualTo("session_ended: no reply"));
        assertThat(registry.scrape()).contains("ferry_relay_transfers_total{mode=\"epsv\",outcome=\"failed\"} 1.0");
    }

    @Test
    void perTunnelMetricsCarryTheTunnelLabelOnlyWhenAskedFor() {
        Clock clock = Clock.systemUTC();
        for (boolean perTunnel : new boolean[] {false, true}) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            RelayObservations observations = new RelayObservations(new RelayMeters(registry, perTunnel, "t"),
                    new LiveState(), null, clock);
            ObservedSession s = observations.sessionOpened("1", "a.example.net", new InetSocketAddress("192.0.2.1", 5000));
            s.answered(command("PASS x"), 230, "230 OK");
            s.ended();
            String scrape = registry.scrape();
            if (perTunnel) {
                assertThat(scrape).contains("ferry_relay_logins_total{result=\"ok\",tunnel=\"a.example.net\"} 1.0")
                        .contains("ferry_relay_sessions_total{outcome=\"closed\",tunnel=\"a.example.net\"} 1.0");
            } else {
                assertThat(scrape).contains("ferry_relay_logins_total{result=\"ok\"} 1.0").doesNotContain("a.example.net");
            }
        }
    }
}
