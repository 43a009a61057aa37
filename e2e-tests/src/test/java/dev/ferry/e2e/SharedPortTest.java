package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.relay.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every domain on one port: a relay with a shared FTP port and three tunnels (one with its own port
 * too, one only on the shared port, one whose agent is offline), two embedded servers serving
 * different files, and real clients naming the tunnel each in their own way.
 */
class SharedPortTest {
    static final String FIRST = Tunnel.NAME;
    static final String SECOND = "second.ftp.example.net";
    static final String OFFLINE = "offline.ftp.example.net";
    static final long BIG = 100L << 20;

    @TempDir
    static Path temp;
    static Path firstHome;
    static Path secondHome;
    static EmbeddedUpstream firstServer;
    static EmbeddedUpstream secondServer;
    static Tunnel first;
    static Tunnel second;
    static Tunnel offline;

    @BeforeAll
    static void start() throws Exception {
        firstHome = Files.createDirectories(temp.resolve("first"));
        secondHome = Files.createDirectories(temp.resolve("second"));
        Files.writeString(firstHome.resolve("only-on-first.txt"), "first\n");
        Files.writeString(firstHome.resolve("lines.txt"), "one\ntwo\n");
        Checksums.randomFile(firstHome.resolve("big.bin"), BIG, 11);
        Files.writeString(secondHome.resolve("only-on-second.txt"), "second\n");
        firstServer = EmbeddedUpstream.start("127.0.0.6", firstHome);
        secondServer = EmbeddedUpstream.start("127.0.0.7", secondHome);
        first = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")),
                b -> b.ftpListen(new HostPort(Tunnel.RELAY_HOST, 0))
                        .ftps(new dev.ferry.relay.config.FtpsSettings(null, null, new HostPort(Tunnel.RELAY_HOST, 0))))
                .startAgent(firstServer.address());
        second = first.addSharedOnly(SECOND).startAgent(secondServer.address());
        offline = first.addSharedOnly(OFFLINE);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {offline, second, first, secondServer, firstServer}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static int port() {
        return first.sharedPort();
    }

    private static Programs.Result curl(String user, String path, String... more) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "-v", "--user", user));
        command.addAll(List.of(more));
        command.add("ftp://" + Tunnel.RELAY_HOST + ":" + port() + "/" + path);
        return Programs.run(120, command);
    }

    // ---------------------------------------------------------------- clients

    @Test
    void curlSendsNameAtDomainAndEachTunnelReachesItsOwnServer() throws Exception {
        Programs.Result one = curl("alice@" + FIRST + ":secret", "");
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(one.err()).contains("< 220 Ferry relay ready").contains("> USER alice@" + FIRST);
        assertThat(one.out()).contains("only-on-first.txt").doesNotContain("only-on-second.txt");

        Programs.Result two = curl("alice@" + SECOND + ":secret", "");
        assertThat(two.exit()).as(two.err()).isZero();
        assertThat(two.out()).contains("only-on-second.txt").doesNotContain("only-on-first.txt");
    }

    @Test
    void curlDownloadsThroughTheSharedPortInActiveModeWithEqualChecksum() throws Exception {
        Path out = temp.resolve("curl-active.bin");
        Programs.Result r = curl("alice@" + FIRST + ":secret", "big.bin", "--ftp-port", "127.0.0.1", "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("> EPRT |1|127.0.0.1|");
        assertThat(Checksums.sha256(out)).isEqualTo(Checksums.sha256(firstHome.resolve("big.bin")));
        Files.delete(out);
    }

    @Test
    void pythonFtplibLogsInWithNameAtDomain() throws Exception {
        String script = String.join("\n",
                "import ftplib, sys",
                "ftp = ftplib.FTP()",
                "ftp.connect(sys.argv[1], int(sys.argv[2]), timeout=20)",
                "print(ftp.getwelcome())",
                "print(ftp.login(sys.argv[3], 'secret'))",
                "print(sorted(ftp.nlst()))",
                "ftp.quit()");
        Programs.Result r = Programs.run(60, List.of("python3", "-c", script, Tunnel.RELAY_HOST,
                Integer.toString(port()), "alice@" + SECOND));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("220 Ferry relay ready").contains("230 ").contains("only-on-second.txt")
                .doesNotContain("only-on-first.txt");
    }

    /**
     * Runs {@code command} (a shell line) where {@link #SECOND} resolves to the relay, as DNS would
     * make it: in a private mount namespace with its own /etc/hosts.
     */
    private static Programs.Result whereSecondResolvesToTheRelay(String command) throws Exception {
        Path hosts = temp.resolve("hosts");
        Files.writeString(hosts, Tunnel.RELAY_HOST + " " + SECOND + "\n");
        return Programs.run(60, List.of("unshare", "-m", "sh", "-c", "mount --bind " + hosts + " /etc/hosts && " + command));
    }

    @Test
    void lftpWithDefaultSettingsSendsAuthTlsSniAndHostBecauseFeatListsThem() throws Exception {
        // lftp checks the certificate against the name it connected to: it passes only if SNI picked the tunnel's.
        dev.ferry.relay.ftps.FtpsCertificates certificates = new dev.ferry.relay.ftps.FtpsCertificates(temp.resolve("relay"));
        if (!certificates.exists(SECOND)) {
            certificates.generate(SECOND, SECOND, new java.security.SecureRandom());
        }
        Programs.Result r = whereSecondResolvesToTheRelay("lftp -d -c 'set cmd:fail-exit yes; set net:max-retries 1; "
                + "set net:timeout 15; set dns:order inet; set ssl:ca-file " + certificates.certFile(SECOND) + "; "
                + "open -u alice,secret ftp://" + SECOND + ":" + port() + "; cls -1'");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).contains("---> FEAT").contains(" HOST").contains("---> AUTH TLS")
                .contains("---> HOST " + SECOND).contains("<--- 220 Host accepted: " + SECOND).contains("---> USER alice");
        assertThat(r.out()).contains("only-on-second.txt").doesNotContain("only-on-first.txt");
    }

    @Test
    void lftpReachesTheRelayByAddressWithNameAtDomainInItsUserField() throws Exception {
        Programs.Result r = Programs.run(60, List.of("lftp", "-d", "-c", "set cmd:fail-exit yes; set net:max-retries 1; "
                + "set net:timeout 15; set ssl:verify-certificate no; "
                + "open -u alice@" + SECOND + ",secret ftp://" + Tunnel.RELAY_HOST + ":" + port() + "; cls -1"));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).contains("---> USER alice@" + SECOND).contains("<--- 331 ");
        assertThat(r.out()).contains("only-on-second.txt").doesNotContain("only-on-first.txt");
    }

    @Test
    void curlWithSslReqdSendsAuthBeforeUserAndTheSessionStaysInTls() throws Exception {
        Programs.Result r = curl("alice@" + SECOND + ":secret", "only-on-second.txt", "--ssl-reqd", "-k");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("> AUTH SSL").contains("< 234 ").contains("> USER alice@" + SECOND)
                .contains("> PBSZ 0").contains("> PROT P").contains("< 200 PROT P");
        assertThat(r.out()).isEqualTo("second\n");
    }

    @Test
    void pythonFtpTlsIsRoutedBySniAloneWithProtPSetBeforeLogin() throws Exception {
        String script = String.join("\n",
                "import ftplib, ssl, sys",
                "ftp = ftplib.FTP_TLS(context=ssl._create_unverified_context())",
                "ftp.connect(sys.argv[1], int(sys.argv[2]), timeout=20)",
                "print(ftp.auth())",
                "print(ftp.prot_p())",
                "print(ftp.login('alice', 'secret'))",
                "print(sorted(ftp.nlst()))",
                "ftp.quit()");
        Path file = temp.resolve("sni.py");
        Files.writeString(file, script);
        Programs.Result r = whereSecondResolvesToTheRelay("python3 " + file + " " + SECOND + " " + port());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("234 AUTH TLS accepted").contains("200 PROT P").contains("230 ")
                .contains("only-on-second.txt").doesNotContain("only-on-first.txt");
    }

    @Test
    void commonsNetSendsDomainBarNameAndMovesHundredMibBothWaysInPassiveAndActiveMode() throws Exception {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.connect(Tunnel.RELAY_HOST, port());
        try {
            assertThat(ftp.getReplyString()).startsWith("220 Ferry relay ready");
            assertThat(ftp.login(FIRST + "|alice", "secret")).as(ftp.getReplyString()).isTrue();
            assertThat(ftp.setFileType(FTP.BINARY_FILE_TYPE)).isTrue();
            String expected = Checksums.sha256(firstHome.resolve("big.bin"));
            for (boolean passive : new boolean[] {true, false}) {
                if (passive) {
                    ftp.enterLocalPassiveMode();
                } else {
                    ftp.enterLocalActiveMode();
                }
                String name = "up-" + (passive ? "pasv" : "active") + ".bin";
                try (InputStream in = ftp.retrieveFileStream("big.bin")) {
                    assertThat(in).as(ftp.getReplyString()).isNotNull();
                    assertThat(Checksums.sha256(in)).isEqualTo(expected);
                }
                assertThat(ftp.completePendingCommand()).as(ftp.getReplyString()).isTrue();
                try (InputStream in = Files.newInputStream(firstHome.resolve("big.bin"))) {
                    assertThat(ftp.storeFile(name, in)).as(ftp.getReplyString()).isTrue();
                }
                assertThat(Checksums.sha256(firstHome.resolve(name))).isEqualTo(expected);
                Files.delete(firstHome.resolve(name));
            }
            ftp.logout();
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void implicitFtpsWithoutServerNameIsRoutedByUserAsOnTheSharedPort() throws Exception {
        org.apache.commons.net.ftp.FTPSClient ftps = new org.apache.commons.net.ftp.FTPSClient("TLS", true);
        ftps.setTrustManager(org.apache.commons.net.util.TrustManagerUtils.getAcceptAllTrustManager());
        ftps.setDefaultTimeout(20_000);
        // By IP address: Java sends no SNI, so the relay cannot know the tunnel from TLS.
        ftps.connect(Tunnel.RELAY_HOST, first.relay.implicitFtpsPort().orElseThrow());
        try {
            assertThat(ftps.getReplyString()).startsWith("220 Ferry relay ready");
            assertThat(ftps.login("alice@" + SECOND, "secret")).as(ftps.getReplyString()).isTrue();
            ftps.execPBSZ(0);
            ftps.execPROT("P");
            ftps.enterLocalPassiveMode();
            assertThat(ftps.listNames()).contains("only-on-second.txt").doesNotContain("only-on-first.txt");
            ftps.logout();
        } finally {
            ftps.disconnect();
        }
    }

    // ---------------------------------------------------------------- exact replies

    private static RawControl connect() throws IOException {
        RawControl c = new RawControl("127.0.0.1", port());
        assertThat(c.reply()).isEqualTo("220 Ferry relay ready: send HOST domain, or USER name@domain.");
        return c;
    }

    @Test
    void beforeRoutingTheRelayAnswersFeatAndRefusesTheRest() throws Exception {
        try (RawControl c = connect()) {
            c.write("FEAT\r\n");
            assertThat(c.replyLines()).containsExactly("211-Features:", " AUTH TLS", " PBSZ", " PROT", " EPSV", " HOST",
                    " UTF8", "211 End");
            assertThat(c.send("PWD")).isEqualTo("530 Please login with USER and PASS.");
            assertThat(c.send("PASV")).isEqualTo("530 Please login with USER and PASS.");
            assertThat(c.send("LIST")).isEqualTo("530 Please login with USER and PASS.");
            assertThat(c.send("PASS secret")).isEqualTo("503 Login with USER first.");
            assertThat(c.send("NOOP")).isEqualTo("200 NOOP ok.");
            assertThat(c.send("QUIT")).isEqualTo("221 Goodbye.");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void unknownDomainsAreRefusedAndTheClientMayTryAgain() throws Exception {
        try (RawControl c = connect()) {
            assertThat(c.send("HOST nowhere.example.net")).isEqualTo("504 Unknown host: no site by that name on this relay.");
            assertThat(c.send("HOST not a name")).isEqualTo("501 Syntax error: HOST needs a domain name.");
            assertThat(c.send("USER alice@nowhere.example.net"))
                    .isEqualTo("530 Login incorrect: name the site as USER name@domain (or send HOST domain first).");
            assertThat(c.send("USER alice"))
                    .isEqualTo("530 Login incorrect: name the site as USER name@domain (or send HOST domain first).");
            assertThat(c.send("USER alice@" + SECOND.toUpperCase() + ".")).isEqualTo("331 User name okay, need password for alice.");
            assertThat(c.send("PASS secret")).startsWith("230 ");
        }
    }

    @Test
    void hostRoutesAndAnotherHostIsOutOfSequence() throws Exception {
        try (RawControl c = connect()) {
            assertThat(c.send("HOST " + SECOND)).isEqualTo("220 Host accepted: " + SECOND + ".");
            assertThat(c.send("HOST " + SECOND)).startsWith("503 ");
            assertThat(c.send("USER alice")).isEqualTo("331 User name okay, need password for alice.");
            assertThat(c.send("PASS secret")).startsWith("230 ");
            assertThat(c.send("HOST " + FIRST))
                    .isEqualTo("503 Bad sequence of commands: the site is already chosen (HOST comes first, once).");
            assertThat(c.send("PWD")).startsWith("257 ");
        }
    }

    @Test
    void hostNamingAnotherSiteThanSniIsRefused() throws Exception {
        try (RawControl c = connect()) {
            assertThat(c.send("AUTH TLS")).isEqualTo("234 AUTH TLS accepted: start the TLS handshake.");
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory()
                    .createSocket(c.socket, Tunnel.RELAY_HOST, port(), false);
            javax.net.ssl.SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new javax.net.ssl.SNIHostName(SECOND)));
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            RawControl lines = new RawControl(tls);
            assertThat(lines.send("HOST " + FIRST))
                    .isEqualTo("504 HOST names another site than the TLS server name (SNI) of this connection.");
            assertThat(lines.send("AUTH TLS")).isEqualTo("503 TLS is already on for this connection.");
            assertThat(lines.send("HOST " + SECOND)).isEqualTo("220 Host accepted: " + SECOND + ".");
            assertThat(lines.send("USER alice")).isEqualTo("331 User name okay, need password for alice.");
            assertThat(lines.send("PASS secret")).startsWith("230 ");
            assertThat(lines.send("PWD")).startsWith("257 ");
        }
    }

    @Test
    void hostAfterUserIsOutOfSequence() throws Exception {
        try (RawControl c = connect()) {
            assertThat(c.send("USER alice@" + FIRST)).isEqualTo("331 User name okay, need password for alice.");
            assertThat(c.send("HOST " + SECOND))
                    .isEqualTo("503 Bad sequence of commands: the site is already chosen (HOST comes first, once).");
            assertThat(c.send("PASS secret")).startsWith("230 ");
        }
    }

    @Test
    void anOfflineTunnelIsRefusedWhenNamed() throws Exception {
        try (RawControl c = connect()) {
            assertThat(c.send("USER alice@" + OFFLINE)).isEqualTo("421 Service not available: " + OFFLINE
                    + " is offline (its Ferry agent is not connected).");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void whatTheClientSetBeforeRoutingIsReplayedInOrder() throws Exception {
        try (RawControl c = connect()) {
            // Pipelined: every reply comes back in command order, the relay's and the server's.
            c.write("OPTS UTF8 ON\r\nTYPE I\r\nUSER alice@" + FIRST + "\r\nPASS secret\r\n");
            assertThat(c.reply()).isEqualTo("200 UTF8 set to on.");
            assertThat(c.reply()).isEqualTo("200 Type set to I.");
            assertThat(c.reply()).isEqualTo("331 User name okay, need password for alice.");
            assertThat(c.reply()).startsWith("230 ");
            // TYPE I reached the server after login: a file of bare LFs comes back unconverted.
            String pasv = c.send("PASV");
            assertThat(pasv).startsWith("227 ");
            String[] n = pasv.replaceAll(".*\\((.*)\\).*", "$1").split(",");
            try (Socket data = new Socket(Tunnel.RELAY_HOST, Integer.parseInt(n[4]) * 256 + Integer.parseInt(n[5]))) {
                assertThat(c.send("RETR lines.txt")).startsWith("150 ");
                byte[] bytes = data.getInputStream().readAllBytes();
                assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).isEqualTo("one\ntwo\n");
            }
            assertThat(c.reply()).startsWith("226 ");
        }
    }
}
