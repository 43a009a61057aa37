package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.relay.config.FtpsSettings;
import dev.ferry.relay.config.HostPort;
import dev.ferry.relay.config.Limits;
import dev.ferry.relay.tunnel.TlsPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FTPS attack cases against a tunnel that requires TLS before login and TLS session reuse on data
 * connections, with a 3 s login deadline (so a 3 s TLS handshake deadline): exact replies, resets
 * where the data connection is refused, and the password never on the public side in clear.
 */
class FtpsAttackTest {
    private static final Limits LIMITS = new Limits(Limits.DEFAULTS.sessionsPerIp(), Limits.DEFAULTS.sessionsPerTunnel(),
            Limits.DEFAULTS.leasesPerIp(), Duration.ofSeconds(3), Limits.DEFAULTS.idleTimeout(),
            Limits.DEFAULTS.loginFailuresBeforeDelay(), Limits.DEFAULTS.loginFailuresBeforeBlock(),
            Limits.DEFAULTS.loginFailureWindow());

    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture((home, temp) -> {
        Files.writeString(home.resolve("readme.txt"), "only through TLS\n");
    }, new TlsPolicy(true, true), b -> b.limits(LIMITS)
            .ftps(new FtpsSettings(null, null, new HostPort(Tunnel.RELAY_HOST, 0))));

    private static int ftpPort() {
        return fixture.tunnel().ftpPort;
    }

    private static int implicitPort() {
        return fixture.tunnel().relay.implicitFtpsPort().orElseThrow();
    }

    static SSLContext trustingClient() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {TrustManagerUtils.getAcceptAllTrustManager()}, null);
        return context;
    }

    /** A logged-in TLS control connection with PROT P. */
    private static RawFtp protectedSession(SSLContext context) throws Exception {
        RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort());
        assertThat(ftp.reply()).startsWith("220 ");
        ftp.startTls(context, Tunnel.RELAY_HOST, ftpPort());
        assertThat(ftp.send("USER " + EmbeddedUpstream.USER)).startsWith("331 ");
        assertThat(ftp.send("PASS " + EmbeddedUpstream.PASSWORD)).startsWith("230 ");
        assertThat(ftp.send("PBSZ 0")).isEqualTo("200 PBSZ=0");
        assertThat(ftp.send("PROT P")).isEqualTo("200 PROT P: data connections are protected by TLS.");
        return ftp;
    }

    @Test
    void authTwiceIs503AndSecurityCommandsBeforeAuthAre503() throws Exception {
        try (RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort())) {
            assertThat(ftp.reply()).startsWith("220 ");
            assertThat(ftp.send("PROT P")).isEqualTo("503 PROT needs AUTH TLS first.");
            assertThat(ftp.send("PBSZ 0")).isEqualTo("503 PBSZ needs AUTH TLS first.");
            assertThat(ftp.send("AUTH KERBEROS")).isEqualTo("504 AUTH mechanism not supported; use AUTH TLS.");
            ftp.startTls(trustingClient(), Tunnel.RELAY_HOST, ftpPort());
            assertThat(ftp.send("AUTH TLS")).isEqualTo("503 TLS is already on for this connection.");
            assertThat(ftp.send("PROT S")).isEqualTo("536 PROT S is not supported; use PROT P or PROT C.");
            assertThat(ftp.send("PROT C")).isEqualTo("200 PROT C: data connections are in the clear.");
            assertThat(ftp.send("CCC")).isEqualTo("533 CCC is refused: the control connection stays as it is.");
        }
    }

    @Test
    void userBeforeAuthIs530WhenTheTunnelRequiresTls() throws Exception {
        try (RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort())) {
            assertThat(ftp.reply()).startsWith("220 ");
            assertThat(ftp.send("USER " + EmbeddedUpstream.USER))
                    .isEqualTo("530 This server requires TLS: send AUTH TLS before logging in.");
            assertThat(ftp.send("PASS " + EmbeddedUpstream.PASSWORD))
                    .isEqualTo("530 This server requires TLS: send AUTH TLS before logging in.");
        }
    }

    @Test
    void handshakeThatNeverFinishesIsClosedAtTheDeadline() throws Exception {
        try (RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort())) {
            assertThat(ftp.reply()).startsWith("220 ");
            assertThat(ftp.send("AUTH TLS")).isEqualTo("234 AUTH TLS accepted: start the TLS handshake.");
            long start = System.nanoTime();
            assertThat(ftp.socket().getInputStream().read()).isEqualTo(-1); // closed, nothing sent
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
        try (Socket implicit = new Socket(Tunnel.RELAY_HOST, implicitPort())) {
            implicit.setSoTimeout(20_000);
            implicit.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // a ClientHello that never ends
            assertThat(implicit.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void implicitWithoutSniIsToldToNameTheTunnel() throws Exception {
        SSLSocket tls = (SSLSocket) trustingClient().getSocketFactory().createSocket(Tunnel.RELAY_HOST, implicitPort());
        try (RawFtp ftp = new RawFtp(tls)) { // by IP address: the JDK sends no SNI
            assertThat(ftp.reply()).isEqualTo("421 Name the tunnel: connect with its domain name (TLS SNI), "
                    + "e.g. ftps://alice.ftp.example.net/");
        }
    }

    @Test
    void theLoginDeadlineHoldsInsideTls() throws Exception {
        try (RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, ftpPort())) {
            assertThat(ftp.reply()).startsWith("220 ");
            ftp.startTls(trustingClient(), Tunnel.RELAY_HOST, ftpPort());
            assertThat(ftp.reply()).isEqualTo("421 Login timeout: no successful login within 3 s.");
        }
    }

    @Test
    void unknownSniGetsUnrecognizedNameAlert() throws Exception {
        SSLSocket tls = (SSLSocket) trustingClient().getSocketFactory().createSocket(Tunnel.RELAY_HOST, implicitPort());
        tls.setSoTimeout(20_000);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("nobody.example.net")));
        tls.setSSLParameters(parameters);
        try (tls) {
            assertThatThrownBy(tls::startHandshake).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("unrecognized_name");
        }
    }

    @Test
    void implicitWithTheTunnelsNameGreetsInsideTls() throws Exception {
        SSLSocket tls = (SSLSocket) trustingClient().getSocketFactory().createSocket(Tunnel.RELAY_HOST, implicitPort());
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(Tunnel.NAME.toUpperCase())));
        tls.setSSLParameters(parameters);
        try (RawFtp ftp = new RawFtp(tls)) {
            assertThat(ftp.reply()).startsWith("220 ");
            assertThat(ftp.send("AUTH TLS")).isEqualTo("503 TLS is already on for this connection.");
            assertThat(ftp.send("USER " + EmbeddedUpstream.USER)).startsWith("331 ");
        }
    }

    private static Programs.Result ftplibReuse(String reuse) throws Exception {
        Path script = fixture.temp().resolve("ftplib_reuse.py");
        try (InputStream in = FtpsAttackTest.class.getResourceAsStream("/ftplib_reuse.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return Programs.run(60, List.of("python3", script.toString(), Tunnel.RELAY_HOST, Integer.toString(ftpPort()),
                reuse, "readme.txt"));
    }

    @Test
    void dataConnectionResumingTheControlSessionIsServed() throws Exception {
        Programs.Result r = ftplibReuse("own");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("resumed True").contains("retr 226").contains("bytes 17");
    }

    @Test
    void dataConnectionPresentingAnotherSessionsTicketIsRefused() throws Exception {
        Programs.Result r = ftplibReuse("other");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("resumed True").contains("reply 425 Data connection refused: TLS session reuse "
                + "required (resume the control connection's session).").contains("bytes 0");
    }

    @Test
    void stockFtplibDoesNotResumeSoReuseRequiredRefusesItsData() throws Exception {
        Programs.Result r = ftplibReuse("none");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("resumed False").contains("425 Data connection refused: TLS session reuse")
                .contains("bytes 0");
    }

    @Test
    void lftpResumesSoReuseRequiredServesIt() throws Exception {
        Path out = fixture.temp().resolve("lftp-reuse.txt");
        Programs.Result r = Programs.run(60, List.of("lftp", "-c", String.join("; ",
                "set ssl:verify-certificate no", "set net:max-retries 1", "set net:timeout 10",
                "open -u " + EmbeddedUpstream.USER + "," + EmbeddedUpstream.PASSWORD + " -p " + ftpPort() + " "
                        + Tunnel.RELAY_HOST, "get readme.txt -o " + out)));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(out)).isEqualTo("only through TLS\n");
    }

    @Test
    void commonsNetDoesNotResumeSoReuseRequiredRefusesItsData() throws Exception {
        FTPSClient ftps = new FTPSClient("TLS", false);
        ftps.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
        ftps.setDefaultTimeout(20_000);
        ftps.connect(Tunnel.RELAY_HOST, ftpPort());
        try {
            assertThat(ftps.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            ftps.execPBSZ(0);
            ftps.execPROT("P");
            ftps.setFileType(FTP.BINARY_FILE_TYPE);
            ftps.enterLocalPassiveMode();
            assertThatThrownBy(() -> ftps.listNames()).hasStackTraceContaining("Connection reset");
        } finally {
            ftps.disconnect();
        }
    }

    @Test
    void plaintextDataConnectionAfterProtPIsRefused() throws Exception {
        try (RawFtp session = protectedSession(trustingClient())) {
            int port = session.pasv();
            try (Socket plain = new Socket(Tunnel.RELAY_HOST, port)) {
                plain.setSoTimeout(20_000);
                session.write("STOR smuggled.txt");
                assertThat(session.reply()).startsWith("150 ");
                plain.getOutputStream().write("plaintext data\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readAllOrFail(plain)).isEmpty();
            }
            assertThat(session.reply()).isEqualTo("425 Data connection refused: after PROT P it must use TLS.");
        }
        String stored = Files.exists(fixture.home().resolve("smuggled.txt"))
                ? Files.readString(fixture.home().resolve("smuggled.txt")) : "";
        assertThat(stored).isEmpty();
    }

    /** Reads until EOF or reset; returns what arrived (a refused connection delivers nothing). */
    private static byte[] readAllOrFail(Socket socket) {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try {
            if (socket instanceof SSLSocket tls) {
                tls.startHandshake();
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                got.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // reset: the relay refused the connection
        }
        return got.toByteArray();
    }

    @Test
    void passwordAfterAuthTlsNeverCrossesThePublicSideInClear() throws Exception {
        try (TcpTap tap = new TcpTap(new InetSocketAddress(Tunnel.RELAY_HOST, ftpPort()))) {
            // data connections go straight to the relay (the 227's address), only the control connection is tapped
            Programs.Result r = FtpsCurlTest.curl(List.of("--ssl-reqd", "--disable-epsv", "--no-ftp-skip-pasv-ip",
                    "ftp://" + EmbeddedUpstream.USER + ":" + EmbeddedUpstream.PASSWORD + "@127.0.0.1:" + tap.port() + "/readme.txt"));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("only through TLS\n");
            String seen = new String(tap.clientBytes(), StandardCharsets.ISO_8859_1);
            assertThat(seen).startsWith("AUTH SSL\r\n").doesNotContain(EmbeddedUpstream.PASSWORD)
                    .doesNotContain("USER");
            // the tap does see what a client sends in the clear
            try (RawFtp plain = RawFtp.connect("127.0.0.1", tap.port())) {
                plain.reply();
                plain.send("PASS " + EmbeddedUpstream.PASSWORD);
            }
            assertThat(new String(tap.clientBytes(), StandardCharsets.ISO_8859_1)).contains("PASS " + EmbeddedUpstream.PASSWORD);
        }
    }
}
