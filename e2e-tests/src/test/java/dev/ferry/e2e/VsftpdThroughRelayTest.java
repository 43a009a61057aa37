package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.PrintCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * vsftpd from Debian, bound to 127.0.0.6:21 with its stock passive-mode settings (no pasv_address,
 * no port range), behind a relay on 127.0.0.5: a client on 127.0.0.1 downloads and uploads in PASV
 * and EPSV, and every 227 it sees names 127,0,0,5. Needs root and vsftpd ({@code deploy/ci/test.sh}
 * installs it); it fails, never skips, without them.
 */
class VsftpdThroughRelayTest {
    @TempDir
    static Path temp;

    static Vsftpd vsftpd;
    static Tunnel tunnel;
    static Path root;
    static Path payload;

    @BeforeAll
    static void start() throws Exception {
        // vsftpd refuses a writable anonymous root: the root is root's, uploads go to incoming/.
        root = Files.createDirectories(temp.resolve("ftproot"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path incoming = Files.createDirectories(root.resolve("incoming"));
        Files.setPosixFilePermissions(incoming, PosixFilePermissions.fromString("rwxrwxrwx"));
        payload = Checksums.randomFile(root.resolve("payload.bin"), 32L << 20, 5);
        Files.setPosixFilePermissions(payload, PosixFilePermissions.fromString("rw-r--r--"));
        vsftpd = Vsftpd.start(temp, "vsftpd", "127.0.0.6", 21, List.of(
                "anonymous_enable=YES", "local_enable=NO", "write_enable=YES", "anon_upload_enable=YES",
                "anon_umask=022", "no_anon_password=YES", "anon_root=" + root));
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay")))
                .startAgent(vsftpd.address());
    }

    @AfterAll
    static void stop() throws Exception {
        if (tunnel != null) {
            tunnel.close();
        }
        if (vsftpd != null) {
            vsftpd.close();
        }
    }

    @ParameterizedTest(name = "epsv={0}")
    @ValueSource(booleans = {false, true})
    void downloadsAndUploadsWithIdenticalChecksumsAndEvery227NamesTheRelay(boolean epsv) throws Exception {
        List<String> replies = new ArrayList<>();
        FTPClient ftp = new FTPClient();
        ftp.setDefaultTimeout(20_000);
        ftp.addProtocolCommandListener(new PrintCommandListener(new java.io.PrintWriter(new java.io.Writer() {
            @Override
            public void write(char[] b, int off, int len) {
                replies.add(new String(b, off, len));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        }), true));
        ftp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort);
        try {
            assertThat(ftp.login("anonymous", "test@example.net")).as(ftp.getReplyString()).isTrue();
            ftp.setFileType(FTP.BINARY_FILE_TYPE);
            ftp.enterLocalPassiveMode();
            ftp.setUseEPSVwithIPv4(epsv);

            Path down = temp.resolve("down-" + epsv + ".bin");
            try (OutputStream out = Files.newOutputStream(down)) {
                assertThat(ftp.retrieveFile("payload.bin", out)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload));

            String name = "incoming/up-" + epsv + ".bin";
            try (InputStream in = Files.newInputStream(payload)) {
                assertThat(ftp.storeFile(name, in)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(root.resolve(name))).isEqualTo(Checksums.sha256(payload));
            assertThat(ftp.listNames("incoming")).isNotEmpty();
        } finally {
            ftp.disconnect();
        }
        String transcript = String.join("", replies);
        Matcher m = Pattern.compile("(?m)^227 .*$").matcher(transcript);
        int seen = 0;
        while (m.find()) {
            seen++;
            assertThat(m.group()).contains("(127,0,0,5,");
        }
        if (epsv) {
            assertThat(seen).isZero();
            assertThat(transcript).containsPattern("(?m)^229 .*\\(\\|\\|\\|\\d+\\|\\)");
        } else {
            assertThat(seen).isGreaterThanOrEqualTo(3);
        }
    }

    /** FTPS in front of a server that knows no TLS: the relay terminates it, vsftpd speaks plain FTP behind the agent. */
    @Test
    void curlWithFtpsDownloadsAndUploadsThroughPlainVsftpd() throws Exception {
        Path down = temp.resolve("ftps-down.bin");
        String base = "ftp://" + Tunnel.RELAY_HOST + ":" + tunnel.ftpPort + "/";
        Programs.Result get = FtpsCurlTest.curl(List.of("--ssl-reqd", "-o", down.toString(), base + "payload.bin"));
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.err()).contains("< 234 ").contains("< 200 PROT P").containsPattern("< 229 .*\\(\\|\\|\\|\\d+\\|\\)");
        assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload));
        Programs.Result put = FtpsCurlTest.curl(List.of("--ssl-reqd", "--disable-epsv", "-T", payload.toString(),
                base + "incoming/ftps-up.bin"));
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(Checksums.sha256(root.resolve("incoming/ftps-up.bin"))).isEqualTo(Checksums.sha256(payload));
    }

    /**
     * commons-net (like ftplib) starts TLS on a passive data connection only after the 150, and vsftpd
     * sends its 150 only once its own data connection is up: the relay must open the server's side at
     * once, not after the client's TLS handshake.
     */
    @Test
    void commonsNetFtpsStartsDataTlsAfterThe150AndDownloadsInPassiveMode() throws Exception {
        org.apache.commons.net.ftp.FTPSClient ftps = new org.apache.commons.net.ftp.FTPSClient(false);
        ftps.setTrustManager(org.apache.commons.net.util.TrustManagerUtils.getAcceptAllTrustManager());
        ftps.setDefaultTimeout(20_000);
        ftps.connect(Tunnel.RELAY_HOST, tunnel.ftpPort);
        try {
            assertThat(ftps.login("anonymous", "test@example.net")).as(ftps.getReplyString()).isTrue();
            ftps.execPBSZ(0);
            ftps.execPROT("P");
            ftps.setFileType(org.apache.commons.net.ftp.FTP.BINARY_FILE_TYPE);
            ftps.enterLocalPassiveMode();
            Path down = temp.resolve("commons-ftps-down.bin");
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(down)) {
                assertThat(ftps.retrieveFile("payload.bin", out)).as(ftps.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload));
        } finally {
            ftps.disconnect();
        }
    }

    @Test
    void lftpWithDefaultSettingsUsesFtpsThroughPlainVsftpd() throws Exception {
        Path down = temp.resolve("lftp-down.bin");
        Programs.Result r = Programs.run(120, List.of("lftp", "-d", "-c", String.join("; ",
                "set ssl:verify-certificate no", "set net:max-retries 1", "set net:timeout 20",
                "open -u anonymous,test@example.net -p " + tunnel.ftpPort + " " + Tunnel.RELAY_HOST,
                "get payload.bin -o " + down)));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("---> AUTH TLS").contains("---> PROT P");
        assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload));
    }

    /** vsftpd without TLS lists no AUTH TLS; the relay, which answers AUTH, PBSZ and PROT itself, adds them to its FEAT reply. */
    @Test
    void featThroughTheRelayListsTheTlsTheRelayAnswers() throws Exception {
        try (RawControl c = new RawControl("127.0.0.1", tunnel.ftpPort)) {
            assertThat(c.reply()).startsWith("220");
            c.write("FEAT\r\n");
            assertThat(c.replyLines()).startsWith("211-Features:").contains(" EPSV", " AUTH TLS", " PBSZ", " PROT")
                    .endsWith("211 End").doesNotHaveDuplicates();
        }
    }

    /**
     * Small uploads by a client that sends the whole file and closes as soon as the 150 comes (lftp's
     * mirror -R, scripts): vsftpd sends its 150 once the agent's early connection to its passive port
     * is up, often before the agent's data stream has attached at the relay, so the client's bytes and
     * its FIN wait at the relay's passive port with nothing reading them. Before EarlyInput, about one
     * upload in a hundred ended {@code 426 Failure reading network stream.}
     */
    @Test
    void uploadsThatCloseRightAfterThe150ArriveWhole() throws Exception {
        int count = 150;
        byte[][] files = new byte[count][];
        java.util.Random random = new java.util.Random(7);
        Pattern epsvPort = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)");
        try (RawFtp ftp = RawFtp.connect(Tunnel.RELAY_HOST, tunnel.ftpPort)) {
            assertThat(ftp.reply()).startsWith("220 ");
            assertThat(ftp.send("USER anonymous")).startsWith("230 ");
            assertThat(ftp.send("TYPE I")).startsWith("200 ");
            assertThat(ftp.send("CWD incoming")).startsWith("250 ");
            for (int i = 0; i < count; i++) {
                files[i] = new byte[64 * 1024 + random.nextInt(1024)];
                random.nextBytes(files[i]);
                String epsv = ftp.send("EPSV");
                Matcher port = epsvPort.matcher(epsv);
                assertThat(port.find()).as(epsv).isTrue();
                try (Socket data = new Socket(Tunnel.RELAY_HOST, Integer.parseInt(port.group(1)))) {
                    assertThat(ftp.send("STOR quick-" + i + ".bin")).startsWith("150 ");
                    data.getOutputStream().write(files[i]);
                } // closed at once: the FIN follows the bytes
                assertThat(ftp.reply()).as("upload %d", i).startsWith("226 ");
            }
        }
        for (int i = 0; i < count; i++) {
            assertThat(Files.readAllBytes(root.resolve("incoming/quick-" + i + ".bin"))).as("upload %d", i)
                    .isEqualTo(files[i]);
        }
    }
}
