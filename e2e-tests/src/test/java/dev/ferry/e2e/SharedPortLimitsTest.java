package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's limits on its shared port: per IP from connect, per tunnel from routing, the login deadline from connect. */
class SharedPortLimitsTest {
    private static final Limits LIMITS = new Limits(3, 2, 20, Duration.ofSeconds(3), Duration.ofMinutes(10),
            1, 2, Duration.ofMinutes(1));

    @TempDir
    static Path temp;
    static EmbeddedUpstream upstream;
    static Tunnel tunnel;

    @BeforeAll
    static void start() throws Exception {
        upstream = EmbeddedUpstream.start("127.0.0.6", Files.createDirectories(temp.resolve("home")));
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")),
                b -> b.limits(LIMITS).ftpListen(new HostPort(Tunnel.RELAY_HOST, 0))).startAgent(upstream.address());
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

    private static RawControl greeted(String from) throws Exception {
        RawControl c = new RawControl(from, tunnel.sharedPort());
        assertThat(c.reply()).startsWith("220 Ferry relay ready");
        return c;
    }

    private static void closeAll(List<RawControl> controls) throws Exception {
        for (RawControl c : controls) {
            c.close();
        }
    }

    @Test
    void theCapPerIpCountsAClientFromConnectBeforeItsTunnelIsKnown() throws Exception {
        List<RawControl> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(greeted("127.0.0.30"));
            }
            try (RawControl fourth = new RawControl("127.0.0.30", tunnel.sharedPort())) {
                assertThat(fourth.reply()).isEqualTo("421 Service not available: too many connections from your address (3).");
                assertThat(fourth.closedByPeer()).isTrue();
            }
            greeted("127.0.0.31").close();
        } finally {
            closeAll(open);
        }
    }

    @Test
    void theCapPerTunnelAppliesWhenTheTunnelIsNamed() throws Exception {
        List<RawControl> open = new ArrayList<>();
        try {
            for (String from : List.of("127.0.0.40", "127.0.0.41")) {
                RawControl c = greeted(from);
                open.add(c);
                assertThat(c.send("USER alice@" + Tunnel.NAME)).startsWith("331 ");
            }
            try (RawControl third = greeted("127.0.0.42")) {
                assertThat(third.send("HOST " + Tunnel.NAME))
                        .isEqualTo("421 Service not available: too many connections to " + Tunnel.NAME + " (2).");
                assertThat(third.closedByPeer()).isTrue();
            }
        } finally {
            closeAll(open);
        }
    }

    @Test
    void failedLoginsCountPerTunnelAndABlockedAddressIsRefusedWhenItNamesTheTunnel() throws Exception {
        try (RawControl c = greeted("127.0.0.50")) {
            assertThat(c.send("USER alice@" + Tunnel.NAME)).startsWith("331 ");
            assertThat(c.send("PASS wrong")).startsWith("530 ");
            assertThat(c.send("USER alice")).startsWith("331 ");
            assertThat(c.send("PASS wrong")).startsWith("530 ");
            assertThat(c.reply()).isEqualTo("421 Too many failed logins from your address; try again later.");
        }
        try (RawControl again = greeted("127.0.0.50")) {
            assertThat(again.send("USER alice@" + Tunnel.NAME))
                    .isEqualTo("421 Too many failed logins from your address; try again later.");
            assertThat(again.closedByPeer()).isTrue();
        }
    }

    @Test
    void theLoginDeadlineRunsFromConnectNotFromRouting() throws Exception {
        try (RawControl c = greeted("127.0.0.60")) {
            long connected = System.nanoTime();
            Thread.sleep(2000);
            assertThat(c.send("HOST " + Tunnel.NAME)).isEqualTo("220 Host accepted: " + Tunnel.NAME + ".");
            assertThat(c.reply()).isEqualTo("421 Login timeout: no successful login within 3 s.");
            // 3 s after connect, not 3 s after HOST (which would be 5 s): the margin is for a loaded machine.
            assertThat(Duration.ofNanos(System.nanoTime() - connected)).isLessThan(Duration.ofMillis(4500));
        }
    }
}
