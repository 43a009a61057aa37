package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --config FILE} on the real launchers, as a service unit uses it: the relay and the agent
 * take everything from their files (the agent's token is then in no command line), an option given
 * on the command line wins over the file, and a download through them works.
 */
class ConfigFileProcessTest {
    private static final String NAME = "config.ftp.example.net";
    private static final Pattern AGENT_COMMAND = Pattern.compile(
            "^java -jar ferry-agent\\.jar --relay (\\S+) --token (\\S+) --pin (\\S+) --upstream 127\\.0\\.0\\.1:21$");

    @TempDir
    Path temp;

    EmbeddedUpstream upstream;
    FerryJar relay;
    FerryJar agent;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void relayAndAgentRunFromTheirFilesAndAFlagWins() throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        Path file = Checksums.randomFile(home.resolve("file.bin"), 8 << 20, 3);
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        Path data = temp.resolve("relay-data");
        int filePort = FreePorts.find("127.0.0.1");
        int flagPort = FreePorts.find("127.0.0.1");
        int ftpPort = FreePorts.find(Tunnel.RELAY_HOST);
        int[] passive = FreePorts.range(Tunnel.RELAY_HOST, 10);
        Path relayConf = Files.writeString(temp.resolve("relay.properties"), String.join("\n",
                "# ferry-relay serve --config relay.properties",
                "data-dir = " + data,
                "public-address = " + Tunnel.RELAY_HOST,
                "bind = " + Tunnel.RELAY_HOST,
                "ftp-listen = off",
                "agent-listen = 127.0.0.1:" + filePort,
                "passive-ports = " + passive[0] + "-" + passive[1],
                "drain-timeout = 5", ""));
        relay = FerryJar.start(temp.resolve("relay.log"), FerryJar.RELAY,
                List.of("serve", "--config", relayConf.toString(), "--agent-listen", "127.0.0.1:" + flagPort));
        relay.awaitLog("listening for agents", Duration.ofSeconds(30));
        assertThat(relay.logLines("listening for agents")).singleElement().asString().contains(":" + flagPort);

        Programs.Result add = FerryJar.run(FerryJar.RELAY, "tunnel", "add", NAME, "--ftp-port", Integer.toString(ftpPort),
                "--config", relayConf.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        List<String> lines = add.out().lines().toList();
        Matcher printed = AGENT_COMMAND.matcher(lines.get(lines.size() - 1));
        assertThat(printed.matches()).as(add.out()).isTrue();

        Path agentConf = Files.writeString(temp.resolve("agent.properties"), String.join("\n",
                "relay = 127.0.0.1:" + flagPort,
                "token = " + printed.group(2),
                "pin = " + printed.group(3),
                "upstream = 127.0.0.6:" + upstream.address().getPort(), ""));
        agent = FerryJar.start(temp.resolve("agent.log"), FerryJar.AGENT, List.of("--config", agentConf.toString()));
        agent.awaitLog("is live at", Duration.ofSeconds(30));
        relay.awaitLog("listening for FTP clients on", Duration.ofSeconds(10));
        assertThat(ProcessHandle.of(agent.pid()).flatMap(p -> p.info().commandLine()).orElse(""))
                .doesNotContain(printed.group(2));

        Path out = temp.resolve("file.out");
        Programs.Result curl = Programs.run(60, List.of("curl", "-sS", "-o", out.toString(), "ftp://"
                + EmbeddedUpstream.USER + ":" + EmbeddedUpstream.PASSWORD + "@" + Tunnel.RELAY_HOST + ":" + ftpPort
                + "/file.bin"));
        assertThat(curl.exit()).as(curl.err()).isZero();
        assertThat(Checksums.sha256(out)).isEqualTo(Checksums.sha256(file));

        relay.signal("TERM");
        assertThat(relay.awaitExit(Duration.ofSeconds(30))).as(relay.log()).isZero();
        assertThat(relay.logLines("draining (SIGTERM)")).singleElement().asString().contains("waiting up to 5 s");
    }
}
