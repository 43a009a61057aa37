package dev.ferry.relay.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.relay.gateway.FtpCommand;
import dev.ferry.relay.tunnel.Tunnel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The status page as HTML: refreshes itself, shows tunnels, sessions and failures, escapes what clients send. */
class StatusPageTest {
    private static final String HOSTILE = "<script>alert('x')</script>&\"";
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private final LiveState state = new LiveState();
    private final RelayObservations observations = new RelayObservations(
            new RelayMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false, "test"), state, null, clock);

    @Test
    void refreshesItselfAndShowsTunnelsSessionsAndFailuresEscaped() {
        state.added(new Tunnel("files.example.net", 2121, "ab".repeat(32)));
        state.added(new Tunnel("other.example.net", 0, "cd".repeat(32)));
        state.agentConnected("files.example.net", "/192.0.2.7:50000", clock.instant());
        ObservedSession s = observations.sessionOpened("7", "files.example.net", new InetSocketAddress("198.51.100.9", 40000));
        s.command(FtpCommand.parse(("USER " + HOSTILE + "\r\n").getBytes(StandardCharsets.ISO_8859_1)).forLog());
        s.command(FtpCommand.parse(("PASS hunter2\r\n").getBytes(StandardCharsets.ISO_8859_1)).forLog());
        s.command(FtpCommand.parse(("RETR " + HOSTILE + ".bin\r\n").getBytes(StandardCharsets.ISO_8859_1)).forLog());
        observations.refused("files.example.net", new InetSocketAddress("203.0.113.4", 1234), RefusalReason.PER_IP_CAP);

        String html = new StatusPage(5).render(state, clock.instant());

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<meta http-equiv=\"refresh\" content=\"5\">")
                .contains("2026-12-01 10:00:00 UTC");
        assertThat(html).contains("<td>files.example.net</td><td>2121</td><td class=\"online\">online</td>")
                .contains("<td>/192.0.2.7:50000</td>")
                .contains("<td>other.example.net</td><td>shared only</td><td class=\"offline\">offline</td>");
        assertThat(html).contains("<td>198.51.100.9</td>")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;")
                .contains("<td class=\"transfer\">RETR &lt;script&gt;")
                .contains(".bin (none)") // no PASV/EPSV/PORT/EPRT accepted before the RETR
                .doesNotContain("<script>").doesNotContain("hunter2");
        assertThat(html).contains("<td>files.example.net</td><td>203.0.113.4</td><td>client refused</td><td>per_ip_cap</td>");
        assertThat(html).doesNotContain("ab".repeat(32)); // the token's hash is nobody's business either
    }

    @Test
    void emptyTablesSaySo() {
        String html = new StatusPage(5).render(state, clock.instant());
        assertThat(html).contains("No tunnels.").contains("No sessions.").contains("None.");
    }

    @Test
    void keepsTheLastHundredFailuresNewestFirst() {
        for (int i = 0; i < 150; i++) {
            observations.refused("t.example.net", new InetSocketAddress("192.0.2." + (i % 250 + 1), 1), RefusalReason.AGENT_OFFLINE);
        }
        assertThat(state.failures()).hasSize(LiveState.FAILURES);
        assertThat(state.failures().get(0).client()).isEqualTo("192.0.2.150");
    }

    @Test
    void aRefreshBelowOneSecondIsRefused() {
        assertThatThrownBy(() -> new StatusPage(0)).hasMessageContaining("refreshSeconds");
    }
}
