package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ABOR of a running RETR and STOR, sent by Python's ftplib the way real clients send it
 * ({@code deploy/lab/clients/abor_client.py}: an RFC 959 Synch with the DM urgent, or ftplib's
 * {@code FTP.abort()} with the whole line urgent), gets the same replies through the relay as
 * directly from the same server, and the session goes on (NOOP answered) wherever it does directly.
 * Servers: the embedded Apache FtpServer (a Java socket: urgent bytes are dropped, as directly), and
 * vsftpd with {@code async_abor_enable=YES}, which notices an ABOR during a transfer only through
 * urgent data. Needs root, vsftpd and python3 ({@code deploy/ci/test.sh}). About 40 s, by design: a
 * server that does not answer during the transfer is given 2 s to, on each side, and a NOOP the
 * server eats (the embedded server after ftplib's abort) 8 s to be answered.
 */
class AborThroughRelayTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path CLIENT = ROOT.resolve("deploy/lab/clients/abor_client.py");
    private static final Path VSFTPD = Path.of("/usr/sbin/vsftpd");
    private static final String VSFTPD_HOST = "127.0.0.8";
    private static final long BIG = 4L << 30; // sparse: never read to the end

    @TempDir
    static Path temp;

    static EmbeddedUpstream embedded;
    static Tunnel embeddedTunnel;
    static Process vsftpd;
    static int vsftpdPort;
    static Tunnel vsftpdTunnel;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Files.isExecutable(VSFTPD)).as("vsftpd is installed (run deploy/ci/test.sh as root)").isTrue();
        assertThat(System.getProperty("user.name")).as("vsftpd needs root").isEqualTo("root");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectories(temp.resolve("home"));
        sparse(home.resolve("big.bin"));
        embedded = EmbeddedUpstream.start("127.0.0.6", home);
        embeddedTunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay-embedded")))
                .startAgent(embedded.address());

        Path root = Files.createDirectories(temp.resolve("ftproot"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path incoming = Files.createDirectories(root.resolve("incoming"));
        Files.setPosixFilePermissions(incoming, PosixFilePermissions.fromString("rwxrwxrwx"));
        sparse(root.resolve("big.bin"));
        Files.setPosixFilePermissions(root.resolve("big.bin"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.createDirectories(Path.of("/var/run/vsftpd/empty"));
        vsftpdPort = FreePorts.find(VSFTPD_HOST);
        Path conf = temp.resolve("vsftpd.conf");
        Files.writeString(conf, String.join("\n",
                "listen=YES", "listen_ipv6=NO", "listen_address=" + VSFTPD_HOST, "listen_port=" + vsftpdPort,
                "background=NO", "anonymous_enable=YES", "local_enable=NO", "write_enable=YES",
                "anon_upload_enable=YES", "anon_umask=022", "no_anon_password=YES", "anon_root=" + root,
                "async_abor_enable=YES", "secure_chroot_dir=/var/run/vsftpd/empty", "seccomp_sandbox=NO",
                "xferlog_enable=NO", "dirmessage_enable=NO", ""));
        vsftpd = new ProcessBuilder(VSFTPD.toString(), conf.toString()).redirectErrorStream(true)
                .redirectOutput(temp.resolve("vsftpd.out").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket(VSFTPD_HOST, vsftpdPort)) {
                return true;
            }
        });
        vsftpdTunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay-vsftpd")))
                .startAgent(new InetSocketAddress(VSFTPD_HOST, vsftpdPort));
    }

    private static void sparse(Path file) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(BIG);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {embeddedTunnel, vsftpdTunnel, embedded}) {
            if (c != null) {
                c.close();
            }
        }
        if (vsftpd != null) {
            vsftpd.destroy();
            if (!vsftpd.waitFor(5, TimeUnit.SECONDS)) {
                vsftpd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
        "embedded, synch, retr", "embedded, synch, stor", "embedded, ftplib, retr",
        "vsftpd, synch, retr", "vsftpd, synch, stor", "vsftpd, ftplib, retr", "vsftpd, ftplib, stor"})
    void abortGetsTheRepliesItGetsDirectly(String server, String style, String op) throws Exception {
        boolean isEmbedded = server.equals("embedded");
        InetSocketAddress direct = isEmbedded ? embedded.address() : new InetSocketAddress(VSFTPD_HOST, vsftpdPort);
        int relayPort = (isEmbedded ? embeddedTunnel : vsftpdTunnel).ftpPort;
        String upload = (isEmbedded ? "" : "incoming/") + "up-" + style + "-" + op;

        String directly = abort(direct.getAddress().getHostAddress(), direct.getPort(), isEmbedded,
                op.equals("retr") ? "big.bin" : upload + "-direct.bin", style, op);
        String relayed = abort(Tunnel.RELAY_HOST, relayPort, isEmbedded,
                op.equals("retr") ? "big.bin" : upload + "-relayed.bin", style, op);

        assertThat(relayed).as("through the relay, compared with directly").isEqualTo(directly);
        if (isEmbedded && style.equals("ftplib")) {
            // Java sockets drop urgent data: directly, the LF is lost and the NOOP eaten ("ABORNOOP").
            assertThat(relayed).contains("| 502 Command ABORNOOP not implemented.");
            return;
        }
        assertThat(relayed).as("the session goes on").containsPattern("\\|\\| NOOP \\|\\|.* 200 [^|]*$");
        if (!isEmbedded) {
            // vsftpd looks at the control connection during a transfer only when urgent data arrives.
            assertThat(relayed).startsWith(style.equals("synch")
                    ? "ABOR " + op + " synch: 426 " : "ABOR " + op + " ftplib: 500 Unknown command. ||");
        }
    }

    private static String abort(String host, int port, boolean isEmbedded, String path, String style, String op)
            throws Exception {
        List<String> login = isEmbedded ? List.of(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)
                : List.of("anonymous", "test@example.net");
        Programs.Result r = Programs.run(60, List.of("python3", CLIENT.toString(), host, String.valueOf(port),
                login.get(0), login.get(1), path, style, op, "2"));
        assertThat(r.err()).as("client errors").isEmpty();
        return r.out().strip();
    }
}
