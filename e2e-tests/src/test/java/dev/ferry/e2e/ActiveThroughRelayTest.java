package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Active mode (PORT from commons-net, EPRT from curl) through the relay: the server connects to the agent. */
class ActiveThroughRelayTest {
    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture((home, temp) -> {
        Checksums.randomFile(home.resolve("payload.bin"), 16L << 20, 11);
    });

    private static Path payload() {
        return fixture.home().resolve("payload.bin");
    }

    @Test
    void commonsNetInActiveModeListsUploadsAndDownloads() throws Exception {
        FTPClient ftp = fixture.tunnel().login();
        try {
            ftp.enterLocalActiveMode();
            FTPFile[] files = ftp.listFiles();
            assertThat(ftp.getReplyCode()).as(ftp.getReplyString()).isEqualTo(226);
            assertThat(files).extracting(FTPFile::getName).contains("payload.bin");

            try (InputStream in = Files.newInputStream(payload())) {
                assertThat(ftp.storeFile("active-up.bin", in)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(fixture.home().resolve("active-up.bin"))).isEqualTo(Checksums.sha256(payload()));
            Path down = fixture.temp().resolve("active-down.bin");
            try (OutputStream out = Files.newOutputStream(down)) {
                assertThat(ftp.retrieveFile("payload.bin", out)).as(ftp.getReplyString()).isTrue();
            }
            assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload()));
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void curlWithEprtDownloads() throws Exception {
        Path down = fixture.temp().resolve("curl-active.bin");
        Programs.Result r = Programs.run(60, List.of("curl", "-sS", "-v",
                "--ftp-port", "127.0.0.1", "-o", down.toString(), "ftp://" + EmbeddedUpstream.USER + ":"
                        + EmbeddedUpstream.PASSWORD + "@" + Tunnel.RELAY_HOST + ":" + fixture.tunnel().ftpPort + "/payload.bin"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("> EPRT |1|127.0.0.1|");
        assertThat(Checksums.sha256(down)).isEqualTo(Checksums.sha256(payload()));
    }

    @Test
    void aPortNamingAnotherHostIsRefusedByTheRelay() throws Exception {
        FTPClient ftp = new FTPClient();
        ftp.connect(Tunnel.RELAY_HOST, fixture.tunnel().ftpPort);
        try {
            assertThat(ftp.login(EmbeddedUpstream.USER, EmbeddedUpstream.PASSWORD)).isTrue();
            assertThat(ftp.sendCommand("PORT 127,0,0,9,200,10")).isEqualTo(501);
            assertThat(ftp.sendCommand("PORT 127,0,0,1,0,25")).isEqualTo(504);
            assertThat(ftp.sendCommand("NOOP")).isEqualTo(200);
        } finally {
            ftp.disconnect();
        }
    }
}
