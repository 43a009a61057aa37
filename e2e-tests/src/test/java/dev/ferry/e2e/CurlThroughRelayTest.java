package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curl, a client we did not write, lists and downloads through the relay (PASV and EPSV). */
class CurlThroughRelayTest {
    @TempDir
    static Path temp;

    static EmbeddedUpstream upstream;
    static Tunnel tunnel;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        home = Files.createDirectories(temp.resolve("home"));
        Files.writeString(home.resolve("readme.txt"), "curl was here\n");
        Checksums.randomFile(home.resolve("four-mib.bin"), 4 << 20, 7);
        upstream = EmbeddedUpstream.start("127.0.0.6", home);
        tunnel = Tunnel.startRelay(Files.createDirectories(temp.resolve("relay"))).startAgent(upstream.address());
    }

    @AfterAll
    static void stop() throws Exception {
        if (tunnel != null) {
            tunnel.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static Process.Result curl(String... args) throws Exception {
        return Process.run(60, List.of(args));
    }

    private String url(String path) {
        return "ftp://" + EmbeddedUpstream.USER + ":" + EmbeddedUpstream.PASSWORD + "@" + Tunnel.RELAY_HOST + ":"
                + tunnel.ftpPort + "/" + path;
    }

    @Test
    void listsTheFolderInPasvAndNamesTheRelayIn227() throws Exception {
        Process.Result r = curl("curl", "-sS", "-v", "--disable-epsv", "--ftp-pasv", url(""));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("readme.txt").contains("four-mib.bin");
        assertThat(r.err()).containsPattern("< 227 .*\\(127,0,0,5,\\d+,\\d+\\)");
    }

    @Test
    void downloadsWithEpsvWithEqualChecksum() throws Exception {
        Path out = temp.resolve("curl-download.bin");
        Process.Result r = curl("curl", "-sS", "-v", "--ftp-pasv", "-o", out.toString(), url("four-mib.bin"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).containsPattern("< 229 .*\\(\\|\\|\\|\\d+\\|\\)");
        assertThat(Checksums.sha256(out)).isEqualTo(Checksums.sha256(home.resolve("four-mib.bin")));
    }

    /** Runs a program and collects its output. */
    static final class Process {
        record Result(int exit, String out, String err) {
        }

        static Result run(int timeoutSeconds, List<String> command) throws Exception {
            java.lang.Process p = new ProcessBuilder(command).start();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            var outText = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(out));
            var errText = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(err));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), outText.get(), errText.get());
        }

        private static String read(java.io.InputStream in) {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        }
    }
}
