package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images built from deploy/docker/ work together: vsftpd, agent and relay in containers, and a
 * commons-net client on the host downloads and uploads through them with equal SHA-256, and sees
 * the relay's address in the PASV reply. Fails (never skips) where Docker or the base image is missing
 * (deploy/ci/test.sh starts dockerd and builds the base).
 */
class ImageTransferIT {
    private static final long SIZE = 64L << 20;

    @TempDir
    static Path temp;

    static DockerTunnel tunnel;

    @BeforeAll
    static void start() throws Exception {
        tunnel = DockerTunnel.start(FerryImages.fromSystemProperties(), temp,
                Path.of("target", "container-logs", "ImageTransferIT"));
    }

    @AfterAll
    static void stop() {
        if (tunnel != null) {
            tunnel.close();
        }
    }

    @Test
    void pasvDownloadThroughTheContainersIsComplete() throws Exception {
        Path file = tunnel.publish("download.bin", SIZE, 1);
        try (FtpClients.Session s = FtpClients.anonymous(DockerTunnel.RELAY_HOST, tunnel.ftpPort)) {
            MessageDigest digest = Checksums.sha256();
            try (InputStream in = new DigestInputStream(s.ftp().retrieveFileStream("pub/download.bin"), digest)) {
                assertThat(in).as(s.transcript().toString()).isNotNull();
                in.transferTo(OutputStream.nullOutputStream());
            }
            assertThat(s.ftp().completePendingCommand()).as(s.transcript().toString()).isTrue();
            assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(Checksums.sha256(file));
            // The relay rewrote vsftpd's 227 (which names 127.0.0.32) to its own public address.
            assertThat(s.transcript().toString()).contains("227 Entering Passive Mode (127,0,0,31,")
                    .doesNotContain("(127,0,0,32,");
        }
    }

    @Test
    void epsvUploadThroughTheContainersIsComplete() throws Exception {
        Path source = Checksums.randomFile(temp.resolve("upload.bin"), SIZE, 2);
        try (FtpClients.Session s = FtpClients.anonymous(DockerTunnel.RELAY_HOST, tunnel.ftpPort)) {
            s.ftp().setUseEPSVwithIPv4(true);
            try (InputStream in = Files.newInputStream(source)) {
                assertThat(s.ftp().storeFile("incoming/upload.bin", in)).as(s.transcript().toString()).isTrue();
            }
            assertThat(s.transcript().toString()).contains("229 ");
        }
        assertThat(Checksums.sha256(tunnel.incoming.resolve("upload.bin"))).isEqualTo(Checksums.sha256(source));
    }
}
