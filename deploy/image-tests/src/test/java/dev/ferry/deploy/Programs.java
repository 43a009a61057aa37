package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command-line tool to its end, output and exit status captured. */
final class Programs {
    private Programs() {
    }

    record Result(int exitCode, String output) {
    }

    /** Runs {@code command}; fails the test (never skips) if the tool is not installed. */
    static Result run(int timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("ferry-program", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError(command.get(0) + " is not installed (deploy/ci/install-test-deps.sh as root): "
                        + e.getMessage(), e);
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not end within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static void assertInstalled(String tool) {
        assertThat(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin"))
                .as(tool + " is installed (deploy/ci/install-test-deps.sh as root)")
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }
}
