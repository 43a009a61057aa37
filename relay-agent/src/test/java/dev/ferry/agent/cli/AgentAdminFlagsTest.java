package dev.ferry.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The agent's admin flags: usage errors naming the flag, before anything listens. */
class AgentAdminFlagsTest {
    @TempDir
    Path dir;

    record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = AgentMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Run(cl.execute(args), err.toString());
    }

    private static String[] agent(String... admin) {
        String[] base = {"--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21"};
        String[] all = new String[base.length + admin.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(admin, 0, all, base.length, admin.length);
        return all;
    }

    @Test
    void plainHttpOffLoopbackIsRefusedNamingTheFlags() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Run off = run(agent("--admin-listen", "0.0.0.0:" + port, "--admin-token-file", dir.resolve("t").toString()));
        assertThat(off.exit()).isEqualTo(2);
        assertThat(off.err()).startsWith("ferry-agent: --admin-listen 0.0.0.0:" + port + ": not a loopback address, so "
                + "plain HTTP is refused").contains("--admin-tls-cert FILE --admin-tls-key FILE");
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.isBound()).isTrue();
        }
        assertThat(Files.exists(dir.resolve("t"))).isFalse();
    }

    @Test
    void theTokenFileIsRequiredAndTheTlsFlagsGoTogetherAndOnlyWithAdminListen() {
        Run noFile = run(agent("--admin-listen", "127.0.0.1:9100"));
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.err()).contains("--admin-listen needs --admin-token-file FILE");

        Run half = run(agent("--admin-listen", "127.0.0.1:9100", "--admin-token-file", dir.resolve("t").toString(),
                "--admin-tls-cert", dir.resolve("c.pem").toString()));
        assertThat(half.exit()).isEqualTo(2);
        assertThat(half.err()).contains("--admin-tls-cert and --admin-tls-key must be given together");

        Run alone = run(agent("--admin-token-file", dir.resolve("t").toString()));
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("only go with --admin-listen");

        Run bad = run(agent("--admin-listen", "nowhere", "--admin-token-file", dir.resolve("t").toString()));
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--admin-listen");
        assertThat(Files.exists(dir.resolve("t"))).isFalse();
    }
}
