package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The shaded launchers ({@code ferry-relay.jar}, {@code ferry-agent.jar}) run as real processes, as
 * an operator runs them, with stderr (the log) in a file. {@code mvn verify} builds the jars before
 * this module's tests run.
 */
final class FerryJar implements AutoCloseable {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path RELAY = ROOT.resolve("relay-server/target/ferry-relay.jar");
    static final Path AGENT = ROOT.resolve("relay-agent/target/ferry-agent.jar");

    private final Process process;
    private final Path log;

    private FerryJar(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static List<String> command(Path jar, List<String> args) {
        assertThat(jar).as("built by 'mvn package' (mvn verify builds it before the e2e tests)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        command.addAll(args);
        return command;
    }

    /** Runs a command of {@code jar} to its end (e.g. {@code tunnel add}). */
    static Programs.Result run(Path jar, String... args) throws Exception {
        return Programs.run(60, command(jar, List.of(args)));
    }

    /** Starts a long-running command of {@code jar}, its stderr and stdout into {@code log}. */
    static FerryJar start(Path log, Path jar, List<String> args) throws IOException {
        Process p = new ProcessBuilder(command(jar, args)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new FerryJar(p, log);
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Lines of the log containing {@code text}. */
    List<String> logLines(String text) {
        return log().lines().filter(l -> l.contains(text)).toList();
    }

    void awaitLog(String text, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .failFast(() -> !process.isAlive() && !log().contains(text))
                .until(() -> log().contains(text));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM and waits up to {@code timeout}; the exit status, or -1 if it is still running. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Sends a signal ("TERM", "INT") with kill(1), as systemd or an operator does; returns at once. */
    void signal(String name) throws Exception {
        Programs.Result kill = Programs.run(10, List.of("kill", "-" + name, Long.toString(process.pid())));
        assertThat(kill.exit()).as(kill.err()).isZero();
    }

    /** Waits up to {@code timeout} for the process to exit; its status, or -1 if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
