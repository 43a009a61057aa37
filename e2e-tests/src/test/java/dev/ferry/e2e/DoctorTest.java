package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.agent.cli.AgentMain;
import dev.ferry.relay.cli.RelayMain;
import dev.ferry.relay.data.PortRange;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ferry-relay doctor NAME} and {@code ferry-agent --doctor} against a real relay, agent and
 * FTP server (embedded Apache FtpServer, or {@link TinyFtpServer} for a broken 227), with one fault
 * each: every output line asserted as the operator reads it.
 */
class DoctorTest {
    private static final String NAME = Tunnel.NAME;
    private static final String HINT_LOGIN = "; hint: check --user and --password-file; the relay passes the login to "
            + "the FTP server behind the agent unchanged";

    @TempDir
    Path temp;
    private Path home;
    private Path password;

    record Run(int exit, List<String> out, String err) {
    }

    @BeforeEach
    void files() throws Exception {
        home = Files.createDirectories(temp.resolve("home"));
        Files.writeString(home.resolve("a.txt"), "a\n");
        Files.writeString(home.resolve("b.txt"), "b\n");
        password = Files.writeString(temp.resolve("password"), EmbeddedUpstream.PASSWORD + "\n");
    }

    private static Run execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString().lines().toList(), err.toString());
    }

    private Run relayDoctor(Path dataDir, String... more) {
        List<String> args = new ArrayList<>(List.of("doctor", NAME, "--data-dir", dataDir.toString(), "--timeout", "5"));
        args.addAll(List.of(more));
        return execute(RelayMain.commandLine(), args.toArray(String[]::new));
    }

    private Run asAlice(Path dataDir, String... more) {
        List<String> args = new ArrayList<>(List.of("--user", EmbeddedUpstream.USER, "--password-file", password.toString()));
        args.addAll(List.of(more));
        return relayDoctor(dataDir, args.toArray(String[]::new));
    }

    private static String heading(Tunnel t) {
        return "ferry doctor: tunnel " + NAME + " through " + Tunnel.RELAY_HOST + ":" + t.ftpPort + ", user alice";
    }

    private static String connected(Tunnel t) {
        return "OK   connect: " + Tunnel.RELAY_HOST + ":" + t.ftpPort + " answered 220";
    }

    @Test
    void aHealthyTunnelIsAllOk() throws Exception {
        try (ServedTunnel served = ServedTunnel.start(temp, home)) {
            Run run = asAlice(temp.resolve("relay"));
            System.out.println(run);
            assertThat(run.out()).as(run.err()).containsExactly(
                    heading(served.tunnel()),
                    connected(served.tunnel()),
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(run.exit()).isZero();
        }
    }
}
