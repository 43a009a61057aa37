package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** curl, a client we did not write, lists and downloads through the relay (PASV and EPSV). */
class CurlThroughRelayTest {
    @RegisterExtension
    static final TunnelFixture fixture = new TunnelFixture((home, temp) -> {
        Files.writeString(home.resolve("readme.txt"), "curl was here\n");
        Checksums.randomFile(home.resolve("four-mib.bin"), 4 << 20, 7);
    });

    private static Programs.Result curl(String... args) throws Exception {
        return Programs.run(60, List.of(args));
    }

    private String url(String path) {
        return "ftp://" + EmbeddedUpstream.USER + ":" + EmbeddedUpstream.PASSWORD + "@" + Tunnel.RELAY_HOST + ":"
                + fixture.tunnel().ftpPort + "/" + path;
    }

    @Test
    void listsTheFolderInPasvAndNamesTheRelayIn227() throws Exception {
        Programs.Result r = curl("curl", "-sS", "-v", "--disable-epsv", "--ftp-pasv", url(""));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("readme.txt").contains("four-mib.bin");
        assertThat(r.err()).containsPattern("< 227 .*\\(127,0,0,5,\\d+,\\d+\\)");
    }

    @Test
    void downloadsWithEpsvWithEqualChecksum() throws Exception {
        Path out = fixture.temp().resolve("curl-download.bin");
        Programs.Result r = curl("curl", "-sS", "-v", "--ftp-pasv", "-o", out.toString(), url("four-mib.bin"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("< 229 .*\\(\\|\\|\\|\\d+\\|\\)");
        assertThat(Checksums.sha256(out)).isEqualTo(Checksums.sha256(fixture.home().resolve("four-mib.bin")));
    }
}
