package dev.ferry.relay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log's file: valid JSON per line whatever the text holds, rotated by size, old files capped. */
class AccessLogFileTest {
    @TempDir
    Path dir;

    private static TransferRecord transfer(String path) {
        return new TransferRecord(Instant.parse("2026-12-01T10:00:00Z"), "1", "t.example.net", "127.0.0.1", "bob",
                "RETR", path, TransferMode.PASV, 10, 0, Duration.ofMillis(5), 226, "226 Done", null, null);
    }

    @Test
    void quotesBackslashesControlCharactersAndUnicodeAreEscaped() throws Exception {
        Path file = dir.resolve("access.jsonl");
        try (AccessLog log = AccessLog.open(file, 1 << 20, 2)) {
            log.transfer(transfer("a \"quoted\" \\ name\r\nwith\u0001 \u00e9\u4e2d.txt"));
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("\"path\":\"a \\\"quoted\\\" \\\\ name\\r\\nwith\\u0001 \u00e9\u4e2d.txt\"")
                .startsWith("{\"time\":\"2026-12-01T10:00:00Z\",\"event\":\"transfer\"").endsWith("}");
    }

    @Test
    void rollsOverAtTheSizeAndKeepsTheConfiguredNumberOfOldFiles() throws Exception {
        Path file = dir.resolve("access.jsonl");
        try (AccessLog log = AccessLog.open(file, 2048, 2)) {
            for (int i = 0; i < 200; i++) {
                log.transfer(transfer("file-" + i + ".bin"));
            }
        }
        assertThat(dir.resolve("access.jsonl.1")).exists();
        assertThat(dir.resolve("access.jsonl.2")).exists();
        assertThat(dir.resolve("access.jsonl.3")).doesNotExist();
        assertThat(Files.readString(file)).contains("file-199.bin");
        for (String name : List.of("access.jsonl", "access.jsonl.1", "access.jsonl.2")) {
            // The size is checked before each line: a file passes the limit by one line at most.
            assertThat(Files.size(dir.resolve(name))).as(name).isLessThan(2048 + 400);
            for (String line : Files.readAllLines(dir.resolve(name))) {
                assertThat(line).startsWith("{\"time\"").endsWith("}");
            }
        }
    }

    @Test
    void aFileThatCannotBeWrittenIsAnErrorNamingTheFlag() {
        Path file = dir.resolve("no-such-dir-file").resolve("x").resolve("access.jsonl");
        try {
            Files.writeString(dir.resolve("no-such-dir-file"), "a file, not a directory");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AccessLog.open(file, 1 << 20, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--access-log");
    }
}
