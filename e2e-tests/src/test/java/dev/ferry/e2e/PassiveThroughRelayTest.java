package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real FTP server behind a real relay and agent, driven by commons-net over real sockets. */
class PassiveThroughRelayTest {
    private static final long BIG = 64L << 20;

    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture((home, temp) -> {
        Files.writeString(home.resolve("hello.txt"), "hello through the relay\n");
        Checksums.randomFile(temp.resolve("big.bin"), BIG, 42);
    });

    private static Path big() {
        return fixture.temp().resolve("big.bin");
    }

    private static FTPClient login(boolean epsv) throws Exception {
        FTPClient ftp = fixture.tunnel().login(); // checks the 220 greeting and the login
        ftp.enterLocalPassiveMode();
        ftp.setUseEPSVwithIPv4(epsv);
        return ftp;
    }

    @ParameterizedTest(name = "epsv={0}")
    @ValueSource(booleans = {false, true})
    void listsUploadsAndDownloadsWithEqualChecksums(boolean epsv) throws Exception {
        FTPClient ftp = login(epsv);
        try {
            FTPFile[] files = ftp.listFiles();
            assertThat(files).extracting(FTPFile::getName).contains("hello.txt");

            String name = "upload-" + epsv + ".bin";
            try (InputStream in = Files.newInputStream(big())) {
                assertThat(ftp.storeFile(name, in)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(fixture.home().resolve(name))).isEqualTo(Checksums.sha256(big()));

            Path back = fixture.temp().resolve("download-" + epsv + ".bin");
            try (OutputStream out = Files.newOutputStream(back)) {
                assertThat(ftp.retrieveFile(name, out)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(back)).isEqualTo(Checksums.sha256(big()));
        } finally {
            ftp.logout();
            ftp.disconnect();
        }
    }

    @Test
    void pasvReplyNamesTheRelaysPublicAddressAndAPortInTheRange() throws Exception {
        FTPClient ftp = login(false);
        try {
            assertThat(ftp.pasv()).isEqualTo(FTPReply.ENTERING_PASSIVE_MODE);
            Matcher m = Pattern.compile("\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)").matcher(ftp.getReplyString());
            assertThat(m.find()).as(ftp.getReplyString()).isTrue();
            assertThat(m.group(1) + "," + m.group(2) + "," + m.group(3) + "," + m.group(4)).isEqualTo("127,0,0,5");
            int port = Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
            assertThat(fixture.tunnel().passivePorts.contains(port)).as("port %d in %s", port, fixture.tunnel().passivePorts).isTrue();

            assertThat(ftp.epsv()).isEqualTo(FTPReply.ENTERING_EPSV_MODE);
            Matcher e = Pattern.compile("\\(\\|\\|\\|(\\d+)\\|\\)").matcher(ftp.getReplyString());
            assertThat(e.find()).as(ftp.getReplyString()).isTrue();
            assertThat(fixture.tunnel().passivePorts.contains(Integer.parseInt(e.group(1)))).isTrue();
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void aConnectionToTheLeasedPortFromAnotherAddressGetsNothingAndDoesNotSpoilTheTransfer() throws Exception {
        FTPClient ftp = login(false);
        try {
            int port = pasvPort(ftp);
            long strayBefore = fixture.tunnel().relay.dataPorts().strayConnections();

            // The intruder comes from 127.0.0.9, not the client's 127.0.0.1.
            try (Socket intruder = new Socket()) {
                intruder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.9"), 0));
                int read;
                try {
                    intruder.connect(new InetSocketAddress(Tunnel.RELAY_HOST, port), 5000);
                    intruder.setSoTimeout(5000);
                    read = intruder.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1; // reset while connecting or reading: either way, no data
                }
                assertThat(read).isEqualTo(-1);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> fixture.tunnel().relay.dataPorts().strayConnections() == strayBefore + 1);

            // The real client still uses the same lease.
            try (Socket data = new Socket(Tunnel.RELAY_HOST, port)) {
                assertThat(ftp.sendCommand("RETR", "hello.txt")).isIn(125, 150);
                String body = new String(data.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                assertThat(body).isEqualTo("hello through the relay\n");
            }
            assertThat(ftp.getReply()).isEqualTo(226);
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void twoConnectionsFromTheClientsAddressToOneLeaseAreBothResetAndTheNextPasvWorks() throws Exception {
        FTPClient ftp = login(false);
        try {
            int port = pasvPort(ftp);
            long contestedBefore = fixture.tunnel().relay.dataPorts().contestedLeases();

            // Behind one NAT address, a thief and the client both reach the lease: neither gets the data.
            try (Socket first = new Socket(Tunnel.RELAY_HOST, port); Socket second = new Socket()) {
                try {
                    second.connect(new InetSocketAddress(Tunnel.RELAY_HOST, port), 5000);
                } catch (java.net.SocketException resetWhileConnecting) {
                    // the relay may reset it before connect() returns
                }
                for (Socket s : new Socket[] {first, second}) {
                    if (s.isConnected()) {
                        s.setSoTimeout(5000);
                        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(java.net.SocketException.class);
                    }
                }
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> fixture.tunnel().relay.dataPorts().contestedLeases() == contestedBefore + 1);

            // The session goes on: a new PASV and a download work.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(ftp.retrieveFile("hello.txt", out)).as(ftp.getReplyString()).isTrue();
            assertThat(out.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello through the relay\n");
        } finally {
            ftp.disconnect();
        }
    }

    /** Sends PASV and returns the port its (rewritten) 227 names. */
    private static int pasvPort(FTPClient ftp) throws java.io.IOException {
        assertThat(ftp.pasv()).isEqualTo(FTPReply.ENTERING_PASSIVE_MODE);
        Matcher m = Pattern.compile("\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)").matcher(ftp.getReplyString());
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
    }
}
