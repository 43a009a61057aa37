package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees from the real launchers: a relay and an agent as processes, set up with
 * the commands the README gives (the agent command is the one {@code tunnel add} printed), then a
 * hand-corrupted tunnel file and SIGTERM.
 */
class ProcessFaultsTest {
    private static final String NAME = "proc.ftp.example.net";
    private static final Pattern AGENT_COMMAND = Pattern.compile(
            "^java -jar ferry-agent\\.jar --relay (\\S+) --token (\\S+) --pin (\\S+) --upstream 127\\.0\\.0\\.1:21$");

    @TempDir
    Path temp;

    Path data;
    EmbeddedUpstream upstream;
    FerryJar relay;
    FerryJar agent;
    int agentPort;
    int ftpPort;

    @BeforeEach
    void start() throws Exception {
        upstream = EmbeddedUpstream.start("127.0.0.6", Files.createDirectories(temp.resolve("home")));
        Files.writeString(temp.resolve("home/hello.txt"), "hello");
        data = temp.resolve("relay-data");
        agentPort = FreePorts.find("127.0.0.1");
        ftpPort = FreePorts.find(Tunnel.RELAY_HOST);
        int[] passive = FreePorts.range(Tunnel.RELAY_HOST, 10);
        relay = FerryJar.start(temp.resolve("relay.log"), FerryJar.RELAY, List.of("serve", "--data-dir", data.toString(),
                "--public-address", Tunnel.RELAY_HOST, "--bind", Tunnel.RELAY_HOST,
                "--agent-listen", "127.0.0.1:" + agentPort, "--passive-ports", passive[0] + "-" + passive[1]));
        relay.awaitLog("listening for agents", Duration.ofSeconds(30));
        assertThat(relay.logLines("created the data dir " + data)).hasSize(1);

        Programs.Result add = FerryJar.run(FerryJar.RELAY, "tunnel", "add", NAME, "--ftp-port", Integer.toString(ftpPort),
                "--data-dir", data.toString());
        assertThat(add.exit()).as(add.err()).isZero();
        List<String> lines = add.out().lines().toList();
        Matcher printed = AGENT_COMMAND.matcher(lines.get(lines.size() - 1));
        assertThat(printed.matches()).as(add.out()).isTrue();
        assertThat(printed.group(1)).isEqualTo(Tunnel.RELAY_HOST + ":" + agentPort);
        // the printed command as it stands, but the relay's agent port is on 127.0.0.1 here and the server is ours
        agent = FerryJar.start(temp.resolve("agent.log"), FerryJar.AGENT, List.of("--relay", "127.0.0.1:" + agentPort,
                "--token", printed.group(2), "--pin", printed.group(3),
                "--upstream", "127.0.0.6:" + upstream.address().getPort()));
        agent.awaitLog("is live at", Duration.ofSeconds(30));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (agent != null) {
                agent.close();
            }
            if (relay != null) {
                relay.close();
            }
        } finally {
            upstream.close();
        }
    }

    private String list() throws Exception {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(10_000);
        ftp.connect(Tunnel.RELAY_HOST, ftpPort);
        try {
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).as(ftp.getReplyString()).isTrue();
            ftp.enterLocalPassiveMode();
            return String.join(",", ftp.listNames());
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void aCorruptTunnelFileKeepsServingFromWhatWasLastReadWithOneErrorAndBlocksItsNameAndPort() throws Exception {
        Path file = data.resolve("tunnels/" + NAME + ".tunnel");
        String good = Files.readString(file);
        Files.writeString(file, good.replaceFirst("ftpPort=\\d+", "ftpPort=twenty-one"));
        relay.awaitLog("is unreadable", Duration.ofSeconds(10));
        Thread.sleep(3_500); // several polls of the store

        assertThat(agent.isAlive()).as(agent.log()).isTrue();
        assertThat(agent.log()).doesNotContain("removed");
        assertThat(list()).isEqualTo("hello.txt");
        assertThat(relay.logLines("is unreadable")).as(relay.log()).hasSize(1).allSatisfy(line -> assertThat(line)
                .contains("ERROR").contains(file.toString()).contains("ftpPort 'twenty-one' is not a port number")
                .contains("still serving tunnel " + NAME + " as last read (FTP port " + ftpPort + ")"));

        Programs.Result sameName = FerryJar.run(FerryJar.RELAY, "tunnel", "add", NAME, "--ftp-port",
                Integer.toString(FreePorts.find(Tunnel.RELAY_HOST)), "--data-dir", data.toString());
        assertThat(sameName.exit()).isEqualTo(2);
        assertThat(sameName.err().lines().toList()).singleElement().asString()
                .startsWith("ferry-relay: tunnel " + NAME + " already exists, but its file").contains("is unreadable");
        Programs.Result samePort = FerryJar.run(FerryJar.RELAY, "tunnel", "add", "other.example.net", "--ftp-port",
                Integer.toString(ftpPort), "--data-dir", data.toString());
        assertThat(samePort.exit()).isEqualTo(2);
        assertThat(samePort.err().lines().toList()).singleElement().asString()
                .contains("cannot add tunnels while " + file + " is unreadable").contains("FTP port is unknown");
        assertThat(samePort.out()).doesNotContain("ferry_");

        Files.writeString(file, good);
        relay.awaitLog(file + " is readable again", Duration.ofSeconds(10));
        assertThat(list()).isEqualTo("hello.txt");
        assertThat(agent.isAlive()).isTrue();
        assertThat(relay.logLines("is unreadable")).hasSize(1);
    }

    @Test
    void sigtermDrainsAnIdleSessionWith421AndExits0LeavingNoPortOpen() throws Exception {
        FTPClient client = new FTPClient();
        client.setDefaultTimeout(10_000);
        client.connect(Tunnel.RELAY_HOST, ftpPort);
        assertThat(client.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
        try {
            int exit = relay.terminate(Duration.ofSeconds(12));
            assertThat(exit).as(relay.log()).isZero();
            assertThat(relay.logLines("draining (SIGTERM)")).as(relay.log()).singleElement().asString()
                    .contains("1 session open, 0 running a transfer or command");
            assertThat(relay.logLines("drain ended")).singleElement().asString()
                    .contains("1 session ended (0 after finishing a transfer or command), none cut");
            assertThat(relay.log()).doesNotContain("Exception").doesNotContain("did not stop");
            assertThatThrownBy(() -> new Socket("127.0.0.1", agentPort).close()).isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> new Socket(Tunnel.RELAY_HOST, ftpPort).close()).isInstanceOf(ConnectException.class);
            assertThat(ProcessHandle.of(relay.pid())).isEmpty();
            assertThatThrownBy(client::sendNoOp).isInstanceOf(org.apache.commons.net.ftp.FTPConnectionClosedException.class);
            assertThat(client.getReplyString()).startsWith("421 Service closing control connection (the relay is restarting).");
        } finally {
            client.disconnect();
        }

        agent.awaitLog("reconnecting", Duration.ofSeconds(10));
        assertThat(agent.terminate(Duration.ofSeconds(12))).as(agent.log()).isZero();
        assertThat(agent.logLines("draining (SIGTERM)")).singleElement().asString()
                .contains("(no link to the relay is up); 0 FTP sessions open");
        assertThat(agent.logLines("drain ended")).singleElement().asString().contains("0 FTP sessions ended, 0 cut");
        assertThat(agent.log()).doesNotContain("Exception").doesNotContain("did not stop");
    }
}
