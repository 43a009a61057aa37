package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.link.admin.AdminSettings;
import dev.ferry.link.tls.LinkTls;
import dev.ferry.relay.RelayServer;
import dev.ferry.relay.cli.RelayMain;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.RelayConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * TLS on the relay's admin listener (with the relay's own certificate, checked by curl against that
 * certificate), and plain HTTP refused off loopback.
 */
class AdminTlsTest {
    @TempDir
    Path temp;

    @Test
    void withAdminTlsTheListenerSpeaksTlsWithTheRelaysCertificateAndRefusesPlainHttp() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        int port = FreePorts.find(Tunnel.RELAY_HOST);
        try (Tunnel tunnel = Tunnel.startRelay(dataDir, b -> b.admin(new AdminSettings(
                new InetSocketAddress(Tunnel.RELAY_HOST, port), dataDir.resolve("admin.token"), true)))) {
            assertThat(tunnel.relay.adminServer().orElseThrow().tls()).isTrue();
            String token = Files.readString(dataDir.resolve("admin.token")).strip();
            String name = LinkTls.RELAY_CERT_NAME;
            // curl verifies the certificate against the relay's own (the one agents pin), by its name.
            Programs.Result ready = Programs.run(60, List.of("curl", "-sS", "--cacert",
                    dataDir.resolve("relay-cert.pem").toString(), "--resolve", name + ":" + port + ":" + Tunnel.RELAY_HOST,
                    "-H", "Authorization: Bearer " + token, "https://" + name + ":" + port + "/readyz"));
            assertThat(ready.exit()).as(ready.err()).isZero();
            assertThat(ready.out()).contains("\"ready\" : true");

            Programs.Result noToken = Programs.run(60, List.of("curl", "-sS", "--cacert",
                    dataDir.resolve("relay-cert.pem").toString(), "--resolve", name + ":" + port + ":" + Tunnel.RELAY_HOST,
                    "-o", "/dev/null", "-w", "%{http_code}", "https://" + name + ":" + port + "/metrics"));
            assertThat(noToken.out()).isEqualTo("401");

            // Another certificate is not trusted: it really is the relay's.
            Path other = temp.resolve("other-cert.pem");
            dev.ferry.relay.tls.RelayCertificate.generate(other, temp.resolve("other-key.pem"), name,
                    new java.security.SecureRandom());
            Programs.Result wrongCa = Programs.run(60, List.of("curl", "-sS", "--cacert", other.toString(), "--resolve",
                    name + ":" + port + ":" + Tunnel.RELAY_HOST, "https://" + name + ":" + port + "/livez"));
            assertThat(wrongCa.exit()).isEqualTo(60);

            Programs.Result plain = Programs.run(60, List.of("curl", "-sS", "-H", "Authorization: Bearer " + token,
                    "http://" + Tunnel.RELAY_HOST + ":" + port + "/readyz"));
            assertThat(plain.exit()).isNotZero();
            assertThat(plain.out()).doesNotContain("ready");
        }
    }

    @Test
    void anInsecureRelayRefusesPlainHttpOffLoopbackWithOneLineNamingTheFlagAndLeavesNothingListening() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("insecure"));
        int adminPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            adminPort = probe.getLocalPort();
        }
        int agentPort = FreePorts.find("127.0.0.1");
        CommandLine cl = RelayMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int exit = cl.execute("serve", "--data-dir", dataDir.toString(), "--public-address", Tunnel.RELAY_HOST,
                "--bind", Tunnel.RELAY_HOST, "--insecure", "--agent-listen", "127.0.0.1:" + agentPort, "--ftp-listen", "off",
                "--admin-listen", "0.0.0.0:" + adminPort);
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("ferry-relay: --admin-listen 0.0.0.0:" + adminPort
                + ": not a loopback address, so plain HTTP is refused and TLS needs a certificate; listen on a loopback "
                + "address (e.g. --admin-listen 127.0.0.1:" + adminPort + "), or run without --insecure so the relay has "
                + "a certificate");
        // Neither the admin port nor the agent endpoint is left open.
        try (ServerSocket admin = new ServerSocket(adminPort); ServerSocket agents = new ServerSocket()) {
            agents.bind(new InetSocketAddress("127.0.0.1", agentPort));
            assertThat(admin.isBound() && agents.isBound()).isTrue();
        }

        RelayConfig direct = RelayConfig.builder(dataDir, RelayConfig.parsePublicAddress(Tunnel.RELAY_HOST))
                .bind(InetAddress.getByName(Tunnel.RELAY_HOST)).insecure(true).agentListen(new HostPort("127.0.0.1", 0))
                .admin(new AdminSettings(new InetSocketAddress("0.0.0.0", adminPort), dataDir.resolve("admin.token"), false))
                .build();
        assertThatThrownBy(() -> new RelayServer(direct).start()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--admin-listen 0.0.0.0:" + adminPort);
    }

    @Test
    void adminTlsWithoutAdminListenIsAUsageError() {
        CommandLine cl = RelayMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("serve", "--data-dir", temp.toString(), "--public-address", Tunnel.RELAY_HOST, "--admin-tls");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--admin-tls only goes with --admin-listen");
    }
}
