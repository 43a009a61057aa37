package dev.ferry.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.RelayState;
import dev.ferry.relay.tls.RelayCertificate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RelayCommandLineTest {
    @TempDir
    Path dataDir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = RelayMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void unknownFlagIsAUsageErrorNamingTheFlag() {
        Run r = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5", "--bogus");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--bogus");
    }

    @Test
    void aConfigFileGivesServeAndTunnelTheirValuesTyposAndBadValuesNameKeyAndFile(@TempDir Path etc) throws Exception {
        Path file = Files.writeString(etc.resolve("relay.properties"), "data-dir=" + dataDir + "\n"
                + "public-address=127.0.0.5\npassive-ports=5000-4000\n");
        Run range = run("serve", "--config", file.toString());
        assertThat(range.exit()).isEqualTo(2);
        assertThat(range.err().lines().toList()).singleElement().asString().contains("--passive-ports")
                .contains("(set by 'passive-ports' in " + file + ")");

        Files.writeString(file, "data-dir=" + dataDir + "\npublic-adress=127.0.0.5\n");
        Run typo = run("serve", "--config", file.toString());
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err()).startsWith("ferry-relay: --config " + file + ": unknown key 'public-adress'");

        Run missing = run("serve", "--config", etc.resolve("none").toString(), "--public-address", "127.0.0.5");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("--config " + etc.resolve("none") + ": no such file");

        // the same file serves 'tunnel list' (data-dir; serve's keys are not its own and are left alone)
        Files.writeString(file, "data-dir=" + etc.resolve("elsewhere") + "\npublic-address=127.0.0.5\ndrain-timeout=5\n");
        Run list = run("tunnel", "list", "--config", file.toString());
        assertThat(list.exit()).isEqualTo(2);
        assertThat(list.err()).contains("--data-dir " + etc.resolve("elsewhere") + ": no such directory")
                .contains("set by 'data-dir' in " + file);
        Run flagWins = run("tunnel", "list", "--config", file.toString(), "--data-dir", dataDir.toString());
        assertThat(flagWins.exit()).as(flagWins.err()).isZero();
    }

    @Test
    void theDrainTimeoutIsChecked() {
        Run negative = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--drain-timeout", "-1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).contains("--drain-timeout must be 0 (close at once) to 86400 seconds, got -1");
    }

    @Test
    void badValuesNameTheirFlag() {
        Run range = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--passive-ports", "5000-4000");
        assertThat(range.exit()).isEqualTo(2);
        assertThat(range.err()).contains("--passive-ports");

        Run address = run("serve", "--data-dir", dataDir.toString(), "--public-address", "ftp.example.net");
        assertThat(address.exit()).isEqualTo(2);
        assertThat(address.err()).contains("--public-address").contains("IPv4");

        Run listen = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--agent-listen", "nowhere");
        assertThat(listen.exit()).isEqualTo(2);
        assertThat(listen.err()).contains("--agent-listen");

        Run port = run("tunnel", "add", "a.example.net", "--ftp-port", "70000", "--data-dir", dataDir.toString());
        assertThat(port.exit()).isEqualTo(2);
        assertThat(port.err()).contains("--ftp-port");

        Run name = run("tunnel", "add", "Not A Domain!", "--ftp-port", "2121", "--data-dir", dataDir.toString());
        assertThat(name.exit()).isEqualTo(2);
        assertThat(name.err()).contains("not a lower-case domain name");
    }

    @Test
    void limitFlagsAreValidatedAndNamed() {
        Run failures = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--max-login-failures", "1");
        assertThat(failures.exit()).isEqualTo(2);
        assertThat(failures.err()).contains("--max-login-failures");
        Run login = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--login-timeout", "0");
        assertThat(login.exit()).isEqualTo(2);
        assertThat(login.err()).contains("--login-timeout");
        Run perIp = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--max-sessions-per-ip", "0");
        assertThat(perIp.exit()).isEqualTo(2);
        assertThat(perIp.err()).contains("--max-sessions-per-ip");
        Run window = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--link-window", "16 furlongs");
        assertThat(window.exit()).isEqualTo(2);
        assertThat(window.err()).contains("Invalid value for option '--link-window': must be a size such as 16MiB");
        Run budget = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--memory-budget", "999GiB");
        assertThat(budget.exit()).isEqualTo(2);
        assertThat(budget.err()).contains("Invalid value for option '--memory-budget': must be between 16MiB and "
                + "the JVM's direct memory limit").contains("-XX:MaxDirectMemorySize");
        Run tls = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--tls-cert", "/tmp/x.pem");
        assertThat(tls.exit()).isEqualTo(2);
        assertThat(tls.err()).contains("--tls-key");
    }

    /** What {@code serve} leaves in the data dir for {@code tunnel add}: the agent address and the pin. */
    private RelayCertificate relayHasRun() {
        RelayCertificate cert = RelayCertificate.loadOrGenerate(dataDir, new SecureRandom());
        new RelayState(dataDir).write("203.0.113.7", 7835, false, cert);
        return cert;
    }

    private static void assertOneLine(Run r, String... contains) {
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("ferry-relay: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String c : contains) {
            assertThat(r.err()).contains(c);
        }
    }

    @Test
    void tunnelAddPrintsTheTokenOnceAndTheAgentCommandLastAndStoresOnlyAHash() throws Exception {
        RelayCertificate cert = relayHasRun();
        Run r = run("tunnel", "add", "alice.ftp.example.net", "--ftp-port", "2121", "--data-dir", dataDir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        String last = lines.get(lines.size() - 1);
        assertThat(last).startsWith("java -jar ferry-agent.jar --relay 203.0.113.7:7835 ").contains(" --token ferry_")
                .contains("--pin " + cert.pin());
        String token = last.replaceAll(".*--token (\\S+).*", "$1");
        String stored = Files.readString(dataDir.resolve("tunnels/alice.ftp.example.net.tunnel"));
        assertThat(stored).doesNotContain(token).contains("tokenSha256=");

        Run list = run("tunnel", "list", "--data-dir", dataDir.toString());
        assertThat(list.out()).contains("alice.ftp.example.net").contains("2121").doesNotContain(token);
    }

    @Test
    void tunnelAddBeforeTheRelayHasRunSaysWhatIsMissingAndRegistersNothing() {
        Run r = run("tunnel", "add", "a.example.net", "--ftp-port", "2121", "--data-dir", dataDir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertOneLine(r, "the relay has not started with --data-dir " + dataDir, "--relay-address HOST:PORT", "serve");
        assertThat(r.out()).doesNotContain("ferry_");
        assertThat(dataDir.resolve("tunnels/a.example.net.tunnel")).doesNotExist();

        Run given = run("tunnel", "add", "a.example.net", "--ftp-port", "2121", "--data-dir", dataDir.toString(),
                "--relay-address", "relay.example.net:7835");
        assertThat(given.exit()).as(given.err()).isZero();
        List<String> lines = given.out().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("java -jar ferry-agent.jar --relay relay.example.net:7835 ")
                .contains("--pin " + RelayCertificate.loadOrGenerate(dataDir, new SecureRandom()).pin());
    }

    @Test
    void tunnelCommandsNeverCreateAMissingDataDir() {
        Path missing = dataDir.resolve("nope");
        for (Run r : List.of(
                run("tunnel", "add", "a.example.net", "--ftp-port", "2121", "--data-dir", missing.toString(),
                        "--relay-address", "203.0.113.7:7835"),
                run("tunnel", "list", "--data-dir", missing.toString()),
                run("tunnel", "remove", "a.example.net", "--data-dir", missing.toString()))) {
            assertThat(r.exit()).isEqualTo(2);
            assertOneLine(r, "--data-dir " + missing + ": no such directory");
        }
        assertThat(missing).doesNotExist();
    }

    @Test
    void tlsFilesAreCheckedBeforeStartingAndNamedByTheirFlag() throws Exception {
        RelayCertificate mine = RelayCertificate.loadOrGenerate(Files.createDirectories(dataDir.resolve("a")),
                new SecureRandom());
        RelayCertificate other = RelayCertificate.loadOrGenerate(Files.createDirectories(dataDir.resolve("b")),
                new SecureRandom());
        Path missing = dataDir.resolve("missing.pem");
        String[] serve = {"serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--agent-listen", "127.0.0.5:0"};

        Run noKey = run(concat(serve, "--tls-cert", mine.certFile().toString(), "--tls-key", missing.toString()));
        assertThat(noKey.exit()).isEqualTo(1);
        assertOneLine(noKey, "--tls-key " + missing + ": no such file");

        Run noCert = run(concat(serve, "--tls-cert", missing.toString(), "--tls-key", mine.keyFile().toString()));
        assertOneLine(noCert, "--tls-cert " + missing + ": no such file");

        Run certAsKey = run(concat(serve, "--tls-cert", mine.certFile().toString(), "--tls-key",
                mine.certFile().toString()));
        assertOneLine(certAsKey, "--tls-key " + mine.certFile() + ": contains no PEM private key");

        Run keyAsCert = run(concat(serve, "--tls-cert", mine.keyFile().toString(), "--tls-key",
                mine.keyFile().toString()));
        assertOneLine(keyAsCert, "--tls-cert " + mine.keyFile() + ": not a PEM X.509 certificate");

        Run mismatch = run(concat(serve, "--tls-cert", mine.certFile().toString(), "--tls-key",
                other.keyFile().toString()));
        assertThat(mismatch.exit()).isEqualTo(1);
        assertOneLine(mismatch, "--tls-key " + other.keyFile() + " does not match the certificate in --tls-cert "
                + mine.certFile());
    }

    @Test
    void usageErrorsAreOneLinePointingAtHelp() {
        Run r = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5", "--bogus");
        assertOneLine(r, "Unknown option: '--bogus'", "see 'ferry-relay serve --help'");
        Run missing = run("tunnel", "add", "--data-dir", dataDir.toString());
        assertOneLine(missing, "Missing required parameter: 'NAME'");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void aSecondTunnelOnTheSamePortIsRefusedNamingThePort() {
        relayHasRun();
        assertThat(run("tunnel", "add", "a.example.net", "--ftp-port", "2121", "--data-dir", dataDir.toString()).exit())
                .isZero();
        Run r = run("tunnel", "add", "b.example.net", "--ftp-port", "2121", "--data-dir", dataDir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertOneLine(r, "2121", "a.example.net");
        assertThat(r.out()).doesNotContain("ferry_");
    }

    @Test
    void tunnelListShowsTheReadableTunnelsAndNamesEachUnreadableFile() throws Exception {
        relayHasRun();
        assertThat(run("tunnel", "add", "a.example.net", "--ftp-port", "2121", "--data-dir", dataDir.toString()).exit())
                .isZero();
        Path broken = dataDir.resolve("tunnels/b.example.net.tunnel");
        Files.writeString(broken, "name=b.example.net\n");
        Run r = run("tunnel", "list", "--data-dir", dataDir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("a.example.net").doesNotContain("b.example.net");
        assertOneLine(r, "tunnel file " + broken + " is unreadable: 'ftpPort' is missing");
        Run removed = run("tunnel", "remove", "b.example.net", "--data-dir", dataDir.toString());
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(run("tunnel", "list", "--data-dir", dataDir.toString()).exit()).isZero();
    }

    @Test
    void removeOfAnUnknownTunnelFails() {
        Run r = run("tunnel", "remove", "ghost.example.net", "--data-dir", dataDir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("ghost.example.net");
    }

    @Test
    void agentPortInUseIsAnErrorNamingThePort() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Run r = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5", "--insecure",
                    "--agent-listen", "127.0.0.1:" + busy.getLocalPort());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("port " + busy.getLocalPort() + " is already in use").contains("--agent-listen");
        }
    }

    @Test
    void withoutFtpPortATunnelIsServedOnTheSharedPortOnly() throws Exception {
        Run r = run("tunnel", "add", "Shared.Example.NET.", "--data-dir", dataDir.toString(),
                "--relay-address", "relay.example.net:7835");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("tunnel shared.example.net registered on the relay's shared FTP port.");
        assertThat(Files.readString(dataDir.resolve("tunnels/shared.example.net.tunnel"))).contains("ftpPort=0");
        Run second = run("tunnel", "add", "other.example.net", "--data-dir", dataDir.toString(),
                "--relay-address", "relay.example.net:7835");
        assertThat(second.exit()).as(second.err()).isZero();
        Run dedicated = run("tunnel", "add", "bücher.example", "--ftp-port", "2121", "--data-dir", dataDir.toString(),
                "--relay-address", "relay.example.net:7835");
        assertThat(dedicated.out()).contains("tunnel xn--bcher-kva.example registered on FTP port 2121 and the relay's shared FTP port.");

        Run list = run("tunnel", "list", "--data-dir", dataDir.toString());
        assertThat(list.out()).containsPattern("shared.example.net +shared port only")
                .containsPattern("xn--bcher-kva.example +ftp port 2121");
    }

    @Test
    void ftpListenIsValidatedAndNamed() throws Exception {
        Run bad = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5", "--ftp-listen", "21");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--ftp-listen").contains("HOST:PORT");
        Run zero = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5",
                "--ftp-listen", "127.0.0.5:0");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--ftp-listen").contains("1-65535");
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.5"))) {
            Run r = run("serve", "--data-dir", dataDir.toString(), "--public-address", "127.0.0.5", "--insecure",
                    "--agent-listen", "127.0.0.1:0", "--ftp-listen", "127.0.0.5:" + busy.getLocalPort());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("--ftp-listen").contains("127.0.0.5:" + busy.getLocalPort());
        }
    }
}
