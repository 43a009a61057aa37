package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.agent.upstream.UpstreamDialer;
import dev.ferry.agent.upstream.UpstreamTls;
import dev.ferry.link.tls.CertificatePin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * vsftpd that insists on TLS ({@code ssl_enable}, {@code force_local_logins_ssl},
 * {@code force_local_data_ssl}, {@code require_ssl_reuse}) on 127.0.0.7 behind an agent with
 * {@code --upstream-tls}: a plain FTP client on the relay logs in as a local user, lists, downloads
 * and uploads in PASV, EPSV and active mode with equal SHA-256. vsftpd refuses every data connection
 * that does not resume the control connection's TLS session, so each transfer proves the reuse.
 * About 30 s on the shared CI machine: six 32 MiB transfers through two TLS layers, and four relays.
 * Needs root, vsftpd and the local user {@value #USER} ({@code deploy/ci/install-test-deps.sh}).
 */
class VsftpdUpstreamTlsTest {
    private static final String HOST = "127.0.0.7";
    private static final String USER = "ferry-ftps";

    @TempDir
    static Path temp;

    static String password;
    static Path root;
    static Path payload;
    static CertificatePin serverPin;
    static Vsftpd strict;
    static Tunnel tunnel;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Programs.run(10, List.of("id", USER)).exit()).as("user " + USER
                + " exists (run deploy/ci/install-test-deps.sh as root)").isZero();
        password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        setPassword(password);
        UserPrincipal owner = temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        root = Files.createDirectories(temp.resolve("ftproot"));
        Files.setOwner(root, owner);
        payload = Checksums.randomFile(root.resolve("payload.bin"), 32L << 20, 9);
        Files.setOwner(payload, owner);

        Path cert = temp.resolve("vsftpd-cert.pem");
        Path key = temp.resolve("vsftpd-key.pem");
        Programs.Result made = Programs.run(30, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=ftps.test"));
        assertThat(made.exit()).as(made.err()).isZero();
        // The pin as the README tells operators to make it.
        Programs.Result digest = Programs.run(30, List.of("sh", "-c", "openssl x509 -in '" + cert + "' -outform der | sha256sum"));
        assertThat(digest.exit()).as(digest.err()).isZero();
        serverPin = CertificatePin.parse("sha256:" + digest.out().split("\\s+")[0]);
        try (InputStream in = Files.newInputStream(cert)) {
            assertThat(serverPin).isEqualTo(
                    CertificatePin.of((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)));
        }
        strict = Vsftpd.start(temp, "vsftpd-tls", HOST, FreePorts.find(HOST), List.of(
                "anonymous_enable=NO", "local_enable=YES", "write_enable=YES", "local_umask=022",
                "local_root=" + root, "pam_service_name=vsftpd",
                "ssl_enable=YES", "rsa_cert_file=" + cert, "rsa_private_key_file=" + key, "ssl_ciphers=HIGH",
                "force_local_logins_ssl=YES", "force_local_data_ssl=YES", "require_ssl_reuse=YES",
                // an upload must end with the agent's close_notify, not just a FIN
                "strict_ssl_read_eof=YES"));
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")))
                .startAgent(strict.address(), UpstreamTls.insecure());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (tunnel != null) {
                tunnel.close();
            }
            if (strict != null) {
                strict.close();
            }
        } finally {
            Programs.run(10, List.of("passwd", "-l", USER));
        }
    }

    private static void setPassword(String value) throws Exception {
        Process p = new ProcessBuilder("chpasswd").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((USER + ":" + value + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Programs.run(10, List.of("passwd", "-u", USER));
    }

    private static FTPClient login(Tunnel through) throws Exception {
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.setDataTimeout(java.time.Duration.ofSeconds(20));
        ftp.connect(Tunnel.RELAY_HOST, through.ftpPort);
        assertThat(ftp.getReplyString()).as("the server's own greeting").startsWith("220 (vsFTPd");
        assertThat(ftp.login(USER, password)).as(ftp.getReplyString()).isTrue();
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        return ftp;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PASV", "EPSV", "PORT"})
    void listsDownloadsAndUploadsThroughTheServersTls(String mode) throws Exception {
        FTPClient ftp = login(tunnel);
        try {
            if (mode.equals("PORT")) {
                ftp.enterLocalActiveMode();
            } else {
                ftp.enterLocalPassiveMode();
                ftp.setUseEPSVwithIPv4(mode.equals("EPSV"));
            }
            FTPFile[] files = ftp.listFiles();
            assertThat(ftp.getReplyCode()).as(ftp.getReplyString()).isEqualTo(226);
            assertThat(files).extracting(FTPFile::getName).contains("payload.bin");

            Path down = temp.resolve("down-" + mode + ".bin");
            try (OutputStream out = Files.newOutputStream(down)) {
                assertThat(ftp.retrieveFile("payload.bin", out)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload));

            String name = "up-" + mode + ".bin";
            try (InputStream in = Files.newInputStream(payload)) {
                assertThat(ftp.storeFile(name, in)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(root.resolve(name))).isEqualTo(Checksums.sha256(payload));
            assertThat(ftp.logout()).isTrue();
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void twoSessionsAtOnceKeepTheirDataConnectionsWorking() throws Exception {
        FTPClient alice = login(tunnel);
        FTPClient bob = login(tunnel);
        try {
            for (FTPClient ftp : List.of(alice, bob, alice, bob)) {
                ftp.enterLocalPassiveMode();
                assertThat(ftp.listNames()).as(ftp.getReplyString()).contains("payload.bin");
            }
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    /** FTPS at the relay and FTPS to the server: curl sees one FTPS session, PROT P both ways. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PASV", "EPSV"})
    void anFtpsClientThroughTheRelayReachesTheServersTls(String mode) throws Exception {
        String url = "ftp://" + USER + ":" + password + "@" + Tunnel.RELAY_HOST + ":" + tunnel.ftpPort + "/";
        List<String> base = List.of("curl", "-sS", "-v", "-k", "--ssl-reqd", "--max-time", "60",
                mode.equals("PASV") ? "--disable-epsv" : "--epsv");
        Path down = temp.resolve("ftps-down-" + mode + ".bin");
        List<String> get = new java.util.ArrayList<>(base);
        get.addAll(List.of("-o", down.toString(), url + "payload.bin"));
        Programs.Result r = Programs.run(90, get);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("> AUTH SSL").contains("> PROT P").contains("< 200 PROT P");
        assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload));

        List<String> put = new java.util.ArrayList<>(base);
        put.addAll(List.of("-T", payload.toString(), url + "ftps-up-" + mode + ".bin"));
        r = Programs.run(90, put);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Checksums.sha256(root.resolve("ftps-up-" + mode + ".bin"))).isEqualTo(Checksums.sha256(payload));
    }

    @Test
    void thePinnedCertificateIsAccepted() throws Exception {
        try (Tunnel pinned = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay-pinned")))
                .startAgent(strict.address(), UpstreamTls.pinned(serverPin))) {
            FTPClient ftp = login(pinned);
            try {
                ftp.enterLocalPassiveMode();
                Path down = temp.resolve("down-pinned.bin");
                try (OutputStream out = Files.newOutputStream(down)) {
                    assertThat(ftp.retrieveFile("payload.bin", out)).as(ftp.getReplyString()).isTrue();
                }
                assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload));
            } finally {
                ftp.disconnect();
            }
        }
    }

    @Test
    void aWrongPinGivesTheClient421AndTheAgentLogsTheMismatch() throws Exception {
        CertificatePin wrong = CertificatePin.parse("sha256:" + "ab".repeat(32));
        ListAppender<ILoggingEvent> log = capture();
        try (Tunnel pinned = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay-wrong-pin")))
                .startAgent(strict.address(), UpstreamTls.pinned(wrong))) {
            String reply = firstReply(pinned);
            assertThat(reply).startsWith("421 ").contains("does not match --upstream-pin " + wrong);
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("control").contains(serverPin.toString())
                            .contains("does not match --upstream-pin " + wrong));
        } finally {
            release(log);
        }
    }

    @Test
    void aServerRefusingAuthTlsGivesTheClient421WithItsAnswer() throws Exception {
        try (Vsftpd plain = Vsftpd.start(temp, "vsftpd-plain", HOST, FreePorts.find(HOST), List.of(
                "anonymous_enable=YES", "no_anon_password=YES", "anon_root=" + root, "ssl_enable=NO"));
                Tunnel tls = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay-plain")))
                        .startAgent(plain.address(), UpstreamTls.insecure())) {
            assertThat(firstReply(tls)).startsWith("421 ").contains("upstream refused AUTH TLS: 530");
        }
    }

    /** The first reply line a client gets from the relay (commons-net would throw on a 421 greeting). */
    private static String firstReply(Tunnel through) throws Exception {
        try (Socket s = new Socket(Tunnel.RELAY_HOST, through.ftpPort)) {
            s.setSoTimeout(30_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(UpstreamDialer.class)).addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(UpstreamDialer.class)).detachAppender(appender);
    }
}
