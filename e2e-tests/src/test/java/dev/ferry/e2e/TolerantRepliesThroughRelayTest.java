package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Random;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose 227 has no parentheses and whose 229 uses {@code !} as delimiter (both allowed:
 * RFC 1123 4.1.2.6, RFC 2428): the relay reads them and sends the strict forms, and commons-net
 * downloads through it.
 */
class TolerantRepliesThroughRelayTest {
    @TempDir
    static Path temp;
    static TinyTunnel tiny;
    static Tunnel tunnel;
    static final byte[] FILE = new byte[3 << 20];

    @BeforeAll
    static void start() throws Exception {
        new Random(12).nextBytes(FILE);
        tiny = TinyTunnel.start(temp, FILE, (hostPort, port) -> "227 Entering Passive Mode " + hostPort,
                port -> "229 Entering Extended Passive Mode (!!!" + port + "!)");
        tunnel = tiny.tunnel;
    }

    @AfterAll
    static void stop() throws Exception {
        tiny.close();
    }

    @Test
    void pasvWithoutParenthesesIsRewrittenStrictlyAndDownloads() throws Exception {
        FTPClient ftp = tunnel.login();
        try {
            ftp.enterLocalPassiveMode();
            assertThat(ftp.pasv()).isEqualTo(227);
            assertThat(ftp.getReplyString().strip()).matches("227 Entering Passive Mode \\(127,0,0,5,\\d+,\\d+\\)\\.");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("file.bin", out)).as(ftp.getReplyString()).isTrue();
            assertThat(out.toByteArray()).isEqualTo(FILE);
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void epsvWithAnotherDelimiterIsRewrittenWithBarsAndDownloads() throws Exception {
        FTPClient ftp = tunnel.login();
        try {
            ftp.enterLocalPassiveMode();
            ftp.setUseEPSVwithIPv4(true);
            assertThat(ftp.epsv()).isEqualTo(229);
            assertThat(ftp.getReplyString().strip()).matches("229 Entering Extended Passive Mode \\(\\|\\|\\|\\d+\\|\\)");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("file.bin", out)).as(ftp.getReplyString()).isTrue();
            assertThat(out.toByteArray()).isEqualTo(FILE);
        } finally {
            ftp.disconnect();
        }
    }
}
