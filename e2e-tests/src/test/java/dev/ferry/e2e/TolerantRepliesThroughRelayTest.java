package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
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
            List<String> replies = replies(ftp);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("file.bin", out)).as(ftp.getReplyString()).isTrue();
            assertThat(out.toByteArray()).isEqualTo(FILE);
            assertThat(replies).filteredOn(r -> r.startsWith("227")).singleElement().asString()
                    .matches("227 Entering Passive Mode \\(127,0,0,5,\\d+,\\d+\\)\\.");
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
            List<String> replies = replies(ftp);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("file.bin", out)).as(ftp.getReplyString()).isTrue();
            assertThat(out.toByteArray()).isEqualTo(FILE);
            assertThat(replies).filteredOn(r -> r.startsWith("229")).singleElement().asString()
                    .matches("229 Entering Extended Passive Mode \\(\\|\\|\\|\\d+\\|\\)");
        } finally {
            ftp.disconnect();
        }
    }

    /**
     * The replies {@code ftp} receives from now on, stripped. The passive reply is read from the
     * transfer's own PASV/EPSV: one passive command per transfer, as clients send it (an extra
     * {@code pasv()} first made the tiny server close a listener the agent was connecting to).
     */
    private static List<String> replies(FTPClient ftp) {
        List<String> replies = new CopyOnWriteArrayList<>();
        ftp.addProtocolCommandListener(new ProtocolCommandListener() {
            @Override
            public void protocolCommandSent(ProtocolCommandEvent event) {
            }

            @Override
            public void protocolReplyReceived(ProtocolCommandEvent event) {
                replies.add(event.getMessage().strip());
            }
        });
        return replies;
    }
}
