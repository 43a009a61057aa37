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

    private static List<String> skipped(String why, String... checks) {
        return java.util.Arrays.stream(checks).map(c -> "SKIP " + c + ": not run (" + why + ")").toList();
    }

    private static final String OFFLINE = "agent offline: the relay answered \"421 Service not available: " + NAME
            + " is offline (its Ferry agent is not connected).\"; hint: start ferry-agent for this tunnel beside the FTP "
            + "server; its log says why it cannot link (token, pin, network)";

    @Test
    void aStoppedAgentIsAgentOffline() throws Exception {
        try (ServedTunnel served = ServedTunnel.start(temp, home)) {
            served.tunnel().stopAgent();
            Run run = asAlice(temp.resolve("relay"));
            List<String> expected = new ArrayList<>(List.of(heading(served.tunnel()), "FAIL connect: " + OFFLINE));
            expected.addAll(skipped("no connection", "login", "PASV", "EPSV", "PORT"));
            assertThat(run.out()).as(run.err()).containsExactlyElementsOf(expected);
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void onTheSharedPortTheLoginNamesTheTunnelAndAnOfflineAgentShowsAtUser() throws Exception {
        Path dataDir = temp.resolve("relay");
        try (EmbeddedUpstream upstream = EmbeddedUpstream.start("127.0.0.6", home);
                Tunnel t = Tunnel.startRelay(Files.createDirectories(dataDir),
                        b -> b.ftpListen(new dev.ferry.relay.config.HostPort(Tunnel.RELAY_HOST, 0)))) {
            t.startAgent(upstream.address());
            String at = Tunnel.RELAY_HOST + ":" + t.sharedPort();
            String heading = "ferry doctor: tunnel " + NAME + " through " + at + " (shared port, USER alice@" + NAME + "), user alice";
            Run ok = asAlice(dataDir, "--address", at);
            assertThat(ok.out()).as(ok.err()).containsExactly(heading,
                    "OK   connect: " + at + " answered 220",
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(ok.exit()).isZero();

            // FTPS on the shared port: the doctor names the tunnel in the TLS SNI, so it gets the tunnel's certificate.
            Run tls = asAlice(dataDir, "--address", at, "--tls");
            assertThat(tls.out()).as(tls.err()).containsExactly(heading.replace(", user alice", " over FTPS, user alice"),
                    "OK   connect: " + at + " answered 220",
                    "OK   tls: AUTH TLS, certificate for " + NAME + " trusted, PROT P",
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(tls.exit()).isZero();

            // A trusted certificate that names something else (here the agent link's) is a mismatch.
            dev.ferry.relay.tls.RelayCertificate linkCert = t.relay.certificate().orElseThrow();
            new dev.ferry.relay.ftps.FtpsCertificates(dataDir).install(NAME, linkCert.certFile(), linkCert.keyFile());
            java.util.List<String> linkNames = certificateNames(linkCert.certFile());
            Run mismatch = asAlice(dataDir, "--address", at, "--tls", "--tls-trust", linkCert.certFile().toString());
            assertThat(mismatch.out().subList(1, 3)).as(mismatch.err()).containsExactly(
                    "OK   connect: " + at + " answered 220",
                    "FAIL tls: TLS certificate mismatch: the relay's certificate names " + linkNames + ", not " + NAME
                            + "; hint: install the tunnel's certificate with 'ferry-relay tunnel cert " + NAME
                            + " --cert FILE --key FILE'");
            assertThat(mismatch.exit()).isEqualTo(1);

            // The agent's doctor for a tunnel without a port of its own: port 21 of the public address by default.
            Tunnel other = t.addSharedOnly("other.example.net");
            List<String> agentArgs = List.of("--relay", "127.0.0.1:" + t.relay.agentPort(), "--token", other.token,
                    "--pin", t.pin().toString(), "--upstream", "127.0.0.6:" + upstream.address().getPort(), "--doctor",
                    "--user", EmbeddedUpstream.USER, "--password-file", password.toString(), "--timeout", "5");
            Run port21 = execute(AgentMain.commandLine(), agentArgs.toArray(String[]::new));
            assertThat(port21.out()).as(port21.err()).startsWith(
                    "OK   link: linked to relay 127.0.0.1:" + t.relay.agentPort() + " as the agent of other.example.net",
                    "ferry doctor: tunnel other.example.net through 127.0.0.5:21 (shared port, USER alice@other.example.net), user alice");
            // Port 21 is not this relay's (usually nothing listens there; on a shared machine another test's server may).
            assertThat(port21.out()).anyMatch(l -> l.startsWith("FAIL ")).noneMatch(l -> l.startsWith("OK   login"));
            assertThat(port21.exit()).isEqualTo(1);
            List<String> toShared = new ArrayList<>(agentArgs);
            toShared.addAll(List.of("--doctor-address", at));
            Run viaShared = execute(AgentMain.commandLine(), toShared.toArray(String[]::new));
            assertThat(viaShared.out()).as(viaShared.err()).containsExactly(
                    "OK   link: linked to relay 127.0.0.1:" + t.relay.agentPort() + " as the agent of other.example.net",
                    "ferry doctor: tunnel other.example.net through " + at + " (shared port, USER alice@other.example.net), user alice",
                    "OK   connect: " + at + " answered 220",
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(viaShared.exit()).isZero();

            t.stopAgent();
            Run offline = asAlice(dataDir, "--address", at);
            List<String> expected = new ArrayList<>(List.of(heading, "OK   connect: " + at + " answered 220",
                    "FAIL login: " + OFFLINE));
            expected.addAll(skipped("login failed", "PASV", "EPSV", "PORT"));
            assertThat(offline.out()).as(offline.err()).containsExactlyElementsOf(expected);
            assertThat(offline.exit()).isEqualTo(1);
        }
    }

    private static List<String> certificateNames(Path pem) throws Exception {
        try (java.io.InputStream in = Files.newInputStream(pem)) {
            java.security.cert.X509Certificate c = (java.security.cert.X509Certificate)
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            List<String> names = new ArrayList<>();
            for (List<?> alt : c.getSubjectAlternativeNames()) {
                names.add(String.valueOf(alt.get(1)));
            }
            return names;
        }
    }

    @Test
    void aStoppedFtpServerIsUpstreamRefused() throws Exception {
        try (ServedTunnel served = ServedTunnel.start(temp, home)) {
            served.upstream().close();
            String upstreamAt = "127.0.0.6:" + served.upstream().address().getPort();
            Run run = asAlice(temp.resolve("relay"));
            List<String> expected = new ArrayList<>(List.of(heading(served.tunnel()),
                    "FAIL connect: upstream refused: the relay answered \"421 Service not available: the FTP server behind "
                            + NAME + " cannot be reached (cannot connect to the FTP server at " + upstreamAt + ": Connection refused: /" + upstreamAt
                            + ").\"; hint: the FTP server behind the agent is "
                            + "down or refuses the agent's connection: check that it runs and the agent's --upstream"));
            expected.addAll(skipped("no connection", "login", "PASV", "EPSV", "PORT"));
            assertThat(run.out()).as(run.err()).containsExactlyElementsOf(expected);
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void aWrongPasswordIsLoginRefused() throws Exception {
        try (ServedTunnel served = ServedTunnel.start(temp, home)) {
            Files.writeString(password, "not-the-password\n");
            Run run = asAlice(temp.resolve("relay"));
            List<String> expected = new ArrayList<>(List.of(heading(served.tunnel()), connected(served.tunnel()),
                    "FAIL login: login refused: the FTP server answered \"530 Authentication failed.\"" + HINT_LOGIN));
            expected.addAll(skipped("login failed", "PASV", "EPSV", "PORT"));
            assertThat(run.out()).as(run.err()).containsExactlyElementsOf(expected);
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void anUnreadable227IsNamedAndTheOtherModesStillPass() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        try (TinyFtpServer tiny = new TinyFtpServer("127.0.0.6", "a\r\nb\r\n".getBytes(StandardCharsets.US_ASCII),
                port -> "227 Entering Passive Mode (no numbers here)", port -> "229 Entering Extended Passive Mode (|||" + port + "|)").refuseActiveMode();
                Tunnel t = Tunnel.startRelay(dataDir).startAgent(tiny.address())) {
            Run run = asAlice(dataDir);
            assertThat(run.out()).as(run.err()).containsExactly(heading(t), connected(t),
                    "OK   login: logged in as alice",
                    "FAIL PASV: PASV reply unreadable: the relay answered \"425 Can't open data connection: the FTP server's "
                            + "passive reply could not be understood.\"; hint: the FTP server behind the agent sent a passive "
                            + "reply the relay cannot read (the relay logs it): fix the server's passive-mode settings",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "FAIL PORT: active mode refused: PORT answered \"502 Not implemented.\"; hint: the relay accepts PORT only "
                            + "for the address it sees the doctor's control connection come from (a NAT in front of the "
                            + "doctor changes it); users behind NAT use passive mode");
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void anUnreadable229FailsTheEpsvCheckEvenThoughPasvWouldWork() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        try (TinyFtpServer tiny = new TinyFtpServer("127.0.0.6", "a\r\nb\r\n".getBytes(StandardCharsets.US_ASCII),
                port -> "227 Entering Passive Mode (" + "127,0,0,6," + (port >> 8) + "," + (port & 0xff) + ")",
                port -> "229 Entering Extended Passive Mode (port " + port + ")");
                Tunnel t = Tunnel.startRelay(dataDir).startAgent(tiny.address())) {
            Run run = asAlice(dataDir);
            assertThat(run.out().subList(0, 5)).as(run.err()).containsExactly(heading(t), connected(t),
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "FAIL EPSV: EPSV reply unreadable: the relay answered \"425 Can't open data connection: the FTP server's "
                            + "passive reply could not be understood.\"; hint: the FTP server behind the agent sent a passive "
                            + "reply the relay cannot read (the relay logs it): fix the server's passive-mode settings");
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void aPassiveRangeTakenByAnotherProgramIsNoPassivePort() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        int port = FreePorts.find(Tunnel.RELAY_HOST);
        try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getByName(Tunnel.RELAY_HOST));
                EmbeddedUpstream upstream = EmbeddedUpstream.start("127.0.0.6", home);
                Tunnel t = Tunnel.startRelay(dataDir, b -> b.passivePorts(new PortRange(port, port)))
                        .startAgent(upstream.address())) {
            Run run = asAlice(dataDir);
            String noPort = ": no passive port free on the relay: the relay answered \"425 Can't open data connection: no "
                    + "passive port available on the relay.\"; hint: every port of the relay's --passive-ports range is "
                    + "leased or taken by another program: widen the range or free its ports";
            assertThat(run.out()).as(run.err()).containsExactly(heading(t), connected(t),
                    "OK   login: logged in as alice",
                    "FAIL PASV" + noPort,
                    "FAIL EPSV" + noPort,
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void aPassiveAddressNobodyListensOnIsPassivePortNotReachable() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        try (EmbeddedUpstream upstream = EmbeddedUpstream.start("127.0.0.6", home);
                Tunnel t = Tunnel.startRelay(dataDir, "127.0.0.9", TlsPolicy.NONE, b -> b).startAgent(upstream.address())) {
            Run byDefault = asAlice(dataDir);
            assertThat(byDefault.out()).as(byDefault.err()).startsWith(
                    "ferry doctor: tunnel " + NAME + " through 127.0.0.9:" + t.ftpPort + ", user alice",
                    "FAIL connect: relay not reachable: cannot connect to 127.0.0.9:" + t.ftpPort + ": connection refused; "
                            + "hint: is the relay running, is 127.0.0.9:" + t.ftpPort + " its public address and the tunnel's "
                            + "FTP port ('ferry-relay tunnel list'), and is the port open in the firewall in front of it?");
            assertThat(byDefault.exit()).isEqualTo(1);

            Run run = asAlice(dataDir, "--address", Tunnel.RELAY_HOST + ":" + t.ftpPort);
            assertThat(run.out()).hasSize(6);
            assertThat(run.out().subList(0, 3)).as(run.err()).containsExactly(heading(t), connected(t),
                    "OK   login: logged in as alice");
            assertThat(run.out().get(3)).matches("FAIL PASV: passive port not reachable: connecting to 127\\.0\\.0\\.9:(\\d+) "
                    + "from the PASV reply failed: connection refused; hint: open the relay's passive range \\(--passive-ports\\) "
                    + "in the firewall in front of the relay; the reply names 127\\.0\\.0\\.9 but the doctor reached the relay "
                    + "at 127\\.0\\.0\\.5: is the relay's --public-address right\\?");
            int leased = Integer.parseInt(run.out().get(3).replaceAll(".*127\\.0\\.0\\.9:(\\d+) .*", "$1"));
            assertThat(leased).isBetween(t.passivePorts.low(), t.passivePorts.high());
            assertThat(run.out().subList(4, 6)).containsExactly(
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(run.exit()).isEqualTo(1);
        }
    }

    @Test
    void aTunnelThatRequiresTlsIsCheckedOverFtps() throws Exception {
        Path dataDir = temp.resolve("relay");
        try (ServedTunnel served = ServedTunnel.start(temp, home, new TlsPolicy(true, false), b -> b)) {
            Tunnel t = served.tunnel();
            String head = "ferry doctor: tunnel " + NAME + " through " + Tunnel.RELAY_HOST + ":" + t.ftpPort + " over FTPS, user alice";
            Run run = asAlice(dataDir);
            assertThat(run.out()).as(run.err()).containsExactly(head, connected(t),
                    "OK   tls: AUTH TLS, certificate for " + NAME + " trusted, PROT P",
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(run.exit()).isZero();

            // Trusting another certificate (the relay's agent-link one) is a TLS failure, named as such.
            Path other = t.relay.certificate().orElseThrow().certFile();
            Run untrusted = asAlice(dataDir, "--tls-trust", other.toString());
            assertThat(untrusted.out().get(1)).isEqualTo(connected(t));
            assertThat(untrusted.out().get(2)).startsWith("FAIL tls: TLS certificate not trusted: ")
                    .endsWith("; hint: pass the tunnel's certificate (or its CA) with --tls-trust FILE");
            assertThat(untrusted.out().subList(3, untrusted.out().size()))
                    .containsExactlyElementsOf(skipped("no connection", "login", "PASV", "EPSV", "PORT"));
            assertThat(untrusted.exit()).isEqualTo(1);

            // The agent's doctor does not know the tunnel's policy: without --tls it is told to use it.
            t.stopAgent();
            String relay = "127.0.0.1:" + t.relay.agentPort();
            List<String> agentArgs = List.of("--relay", relay, "--token", t.token, "--pin", t.pin().toString(),
                    "--upstream", "127.0.0.6:" + served.upstream().address().getPort(), "--doctor",
                    "--user", EmbeddedUpstream.USER, "--password-file", password.toString());
            Run plain = execute(AgentMain.commandLine(), agentArgs.toArray(String[]::new));
            assertThat(plain.out()).as(plain.err()).contains("FAIL login: server requires TLS: the relay answered \"530 This "
                    + "server requires TLS: send AUTH TLS before logging in.\"; hint: run the doctor with --tls");
            assertThat(plain.exit()).isEqualTo(1);
            List<String> withTls = new ArrayList<>(agentArgs);
            withTls.addAll(List.of("--tls", "--tls-trust", dataDir.resolve("ftps").resolve(NAME + ".cert.pem").toString()));
            Run tls = execute(AgentMain.commandLine(), withTls.toArray(String[]::new));
            assertThat(tls.out()).as(tls.err()).containsExactly(
                    "OK   link: linked to relay " + relay + " as the agent of " + NAME, head, connected(t),
                    "OK   tls: AUTH TLS, certificate for " + NAME + " trusted, PROT P",
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(tls.exit()).isZero();
        }
    }

    @Test
    void theAgentChecksItsOwnTunnelThroughTheRelay() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        try (EmbeddedUpstream upstream = EmbeddedUpstream.start("127.0.0.6", home); Tunnel t = Tunnel.startRelay(dataDir)) {
            String relay = "127.0.0.1:" + t.relay.agentPort();
            Run run = execute(AgentMain.commandLine(), "--relay", relay, "--token", t.token, "--pin", t.pin().toString(),
                    "--upstream", "127.0.0.6:" + upstream.address().getPort(), "--doctor",
                    "--user", EmbeddedUpstream.USER, "--password-file", password.toString());
            assertThat(run.out()).as(run.err()).containsExactly(
                    "OK   link: linked to relay " + relay + " as the agent of " + NAME,
                    heading(t), connected(t),
                    "OK   login: logged in as alice",
                    "OK   PASV: LIST answered 226 with 2 entries",
                    "OK   EPSV: LIST answered 226 with 2 entries",
                    "OK   PORT: LIST answered 226 with 2 entries");
            assertThat(run.exit()).isZero();

            Files.writeString(password, "wrong\n");
            Run refused = execute(AgentMain.commandLine(), "--relay", relay, "--token", t.token, "--pin", t.pin().toString(),
                    "--upstream", "127.0.0.6:" + upstream.address().getPort(), "--doctor",
                    "--user", EmbeddedUpstream.USER, "--password-file", password.toString());
            assertThat(refused.out()).contains("FAIL login: login refused: the FTP server answered \"530 Authentication failed.\""
                    + HINT_LOGIN);
            assertThat(refused.exit()).isEqualTo(1);

            Run badToken = execute(AgentMain.commandLine(), "--relay", relay, "--token", "ferry_not-a-token", "--pin",
                    t.pin().toString(), "--upstream", "127.0.0.6:" + upstream.address().getPort(), "--doctor");
            assertThat(badToken.out()).containsExactly("FAIL link: the relay refused this agent: invalid or revoked token; "
                    + "hint: check --token and --pin against what 'ferry-relay tunnel add' printed");
            assertThat(badToken.exit()).isEqualTo(1);
        }
    }

    @Test
    void badCommandLinesExitTwoNamingTheFlag() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("relay"));
        try (Tunnel t = Tunnel.startRelay(dataDir)) {
            assertThat(t.ftpPort).isPositive(); // the tunnel NAME is registered in dataDir
        }
        Run noTunnel = execute(RelayMain.commandLine(), "doctor", "nope.example.net", "--data-dir", dataDir.toString());
        assertThat(noTunnel.exit()).isEqualTo(2);
        assertThat(noTunnel.err()).contains("no tunnel named nope.example.net");
        Run noPassword = relayDoctor(dataDir, "--user", "alice");
        assertThat(noPassword.exit()).isEqualTo(2);
        assertThat(noPassword.err()).contains("--user alice needs --password-file FILE");
        Run missingFile = relayDoctor(dataDir, "--user", "alice", "--password-file", temp.resolve("none").toString());
        assertThat(missingFile.exit()).isEqualTo(2);
        assertThat(missingFile.err()).contains("--password-file " + temp.resolve("none") + ": cannot read it (no such file)");
        Run strayAgentFlag = execute(AgentMain.commandLine(), "--relay", "127.0.0.1:7835", "--token", "t", "--insecure",
                "--upstream", "127.0.0.1:21", "--user", "alice");
        assertThat(strayAgentFlag.exit()).isEqualTo(2);
        assertThat(strayAgentFlag.err()).contains("--user only goes with --doctor");
    }
}
