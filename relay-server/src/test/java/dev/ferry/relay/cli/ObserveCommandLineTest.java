package dev.ferry.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --access-log*} and {@code --metrics-per-tunnel}: bad values name their flag. */
class ObserveCommandLineTest {
    @TempDir
    Path dataDir;

    private RelayCommandLineTest.Run serve(String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "serve";
        args[1] = "--data-dir=" + dataDir;
        args[2] = "--public-address=127.0.0.5";
        args[3] = "--agent-listen=127.0.0.5:0";
        System.arraycopy(more, 0, args, 4, more.length);
        return RelayCommandLineTest.run(args);
    }

    @Test
    void badAccessLogSizesAndCountsNameTheirFlag() {
        RelayCommandLineTest.Run size = serve("--access-log-max-size", "10x");
        assertThat(size.exit()).isEqualTo(2);
        assertThat(size.err()).contains("--access-log-max-size").contains("10x");
        RelayCommandLineTest.Run small = serve("--access-log-max-size", "100");
        assertThat(small.exit()).isEqualTo(2);
        assertThat(small.err()).contains("--access-log-max-size");
        RelayCommandLineTest.Run files = serve("--access-log-files", "0");
        assertThat(files.exit()).isEqualTo(2);
        assertThat(files.err()).contains("--access-log-files");
    }

    @Test
    void anAccessLogThatCannotBeWrittenStopsTheRelayWithOneLine() throws Exception {
        Path notADir = Files.writeString(dataDir.resolve("plain-file"), "x");
        RelayCommandLineTest.Run run = serve("--access-log", notADir.resolve("access.jsonl").toString(),
                "--ftp-listen", "off");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("ferry-relay: ").contains("--access-log").contains("access.jsonl");
        assertThat(run.err().strip().lines()).hasSize(1);
    }
}
