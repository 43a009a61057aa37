package dev.ferry.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AgentCommandLineTest {
    record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = AgentMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Run(cl.execute(args), err.toString());
    }

    @Test
    void unknownFlagsAndBadValuesAreUsageErrorsNamingTheFlag() {
        Run unknown = run("--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21",
                "--bogus");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("--bogus");

        Run relay = run("--relay", "nowhere", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21");
        assertThat(relay.exit()).isEqualTo(2);
        assertThat(relay.err()).contains("--relay");

        Run upstream = run("--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:0");
        assertThat(upstream.exit()).isEqualTo(2);
        assertThat(upstream.err()).contains("--upstream");

        Run window = run("--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21",
                "--link-window", "2GiB");
        assertThat(window.exit()).isEqualTo(2);
        assertThat(window.err()).contains("Invalid value for option '--link-window': must be between 64KiB and 1GiB");
        Run pin = run("--relay", "127.0.0.1:7835", "--token", "t", "--pin", "md5:abc", "--upstream", "127.0.0.1:21");
        assertThat(pin.exit()).isEqualTo(2);
        assertThat(pin.err()).contains("--pin");
    }

    @Test
    void aPlaceholderRelayHostIsOneLineNamingTheFlagNotAStackTrace() {
        Run r = run("--relay", "RELAY_HOST:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).as(r.err()).containsExactly("ferry-agent: Invalid value for option "
                + "'--relay': 'RELAY_HOST' is not a host name or IP address, in 'RELAY_HOST:7835' (see 'ferry-agent --help')");
        Run unknown = run("--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21", "-x");
        assertThat(unknown.err().lines().toList()).as(unknown.err()).hasSize(1);
        Run v6 = run("--relay", "[::1]:7835", "--token", "t", "--insecure", "--upstream", "bad host:21");
        assertThat(v6.err()).contains("'--upstream'").doesNotContain("'--relay'");
    }

    @Test
    void trustAndTargetMustEachBeChosenOnce() {
        Run neither = run("--relay", "127.0.0.1:7835", "--token", "t", "--upstream", "127.0.0.1:21");
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("--pin").contains("--insecure");

        Run both = run("--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21",
                "--serve-dir", "/tmp");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--upstream").contains("--serve-dir");

        Run missingDir = run("--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--serve-dir",
                "/nonexistent/ferry");
        assertThat(missingDir.exit()).isEqualTo(2);
        assertThat(missingDir.err()).contains("--serve-dir");
    }

    @Test
    void upstreamTlsFlagsAreCheckedTogether() {
        String[] base = {"--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--upstream", "127.0.0.1:21"};
        Run alone = run(concat(base, "--upstream-tls"));
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("--upstream-tls needs --upstream-pin sha256:HEX").contains("--upstream-insecure");

        Run pinWithoutTls = run(concat(base, "--upstream-pin", "sha256:" + "ab".repeat(32)));
        assertThat(pinWithoutTls.exit()).isEqualTo(2);
        assertThat(pinWithoutTls.err()).contains("--upstream-pin only goes with --upstream-tls");

        Run insecureWithoutTls = run(concat(base, "--upstream-insecure"));
        assertThat(insecureWithoutTls.exit()).isEqualTo(2);
        assertThat(insecureWithoutTls.err()).contains("--upstream-insecure only goes with --upstream-tls");

        Run both = run(concat(base, "--upstream-tls", "--upstream-insecure", "--upstream-pin", "sha256:" + "ab".repeat(32)));
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--upstream-pin and --upstream-insecure cannot be used together");

        Run badPin = run(concat(base, "--upstream-tls", "--upstream-pin", "sha256:abc"));
        assertThat(badPin.exit()).isEqualTo(2);
        assertThat(badPin.err()).contains("Invalid value for option '--upstream-pin': pin must have 64 hex digits");

        Run served = run("--relay", "127.0.0.1:7835", "--token", "t", "--insecure", "--serve-dir", "/tmp",
                "--upstream-tls", "--upstream-insecure");
        assertThat(served.exit()).isEqualTo(2);
        assertThat(served.err()).contains("--upstream-tls only goes with --upstream");
    }

    @Test
    void aConfigFileGivesValuesItsTyposAndBadValuesAreOneLineNamingKeyAndFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(temp.resolve("agent.properties"),
                "relay=127.0.0.1:7835\ntoken=t\ninsecure=true\nupstream=127.0.0.1:21\nlink-window=2GiB\n");
        Run bad = run("--config", file.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().lines().toList()).singleElement().asString()
                .contains("Invalid value for option '--link-window': must be between 64KiB and 1GiB")
                .contains("(set by 'link-window' in " + file + ")");

        java.nio.file.Files.writeString(file, "relay=127.0.0.1:7835\ntoken=t\ninsecure=true\nupstrem=127.0.0.1:21\n");
        Run typo = run("--config", file.toString());
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).contains("ferry-agent: --config " + file + ": unknown key 'upstrem'");

        Run missing = run("--config", temp.resolve("none.properties").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--config " + temp.resolve("none.properties") + ": no such file");

        // the file gives --upstream, the command line --serve-dir: both set, said plainly
        java.nio.file.Files.writeString(file, "relay=127.0.0.1:7835\ntoken=t\ninsecure=true\nupstream=127.0.0.1:21\n");
        Run both = run("--config", file.toString(), "--serve-dir", temp.toString());
        assertThat(both.err()).contains("--upstream and --serve-dir cannot be used together")
                .contains("set by 'upstream' in " + file);
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
