package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The units' ExecStart lines are command lines the programs accept: each runs as systemd would
 * start it (its Environment= JAVA_OPTS, a --config file as the README describes), with the unit's
 * paths moved into a temporary directory (no systemd runs as PID 1 here), comes up, and on the
 * unit's KillSignal exits with a status the unit counts as success.
 */
class SystemdExecStartIT {
    private static final String HOST = "127.0.0.33";

    @TempDir
    Path temp;

    @Test
    void theRelayUnitsCommandServesAndStopsCleanly() throws Exception {
        int agentPort = FreePorts.find(HOST);
        int[] passive = FreePorts.range(HOST, 5);
        Files.writeString(temp.resolve("relay.properties"), "public-address = " + HOST + "\nbind = " + HOST
                + "\nagent-listen = " + HOST + ":" + agentPort + "\nftp-listen = off\npassive-ports = " + passive[0] + "-"
                + passive[1] + "\n");
        Files.createDirectories(temp.resolve("state"));
        runUntilUpThenStop("ferry-relay.service", "ferry.relay.jar", "listening for agents on");
        assertThat(temp.resolve("state/relay.properties")).as("the relay wrote its data into the StateDirectory").isRegularFile();
    }

    @Test
    void theAgentUnitsCommandRunsAndStopsCleanly() throws Exception {
        int nobody = FreePorts.find(HOST);
        Files.writeString(temp.resolve("agent.properties"), "relay = " + HOST + ":" + nobody + "\ntoken = ferry_x\n"
                + "insecure = true\nupstream = " + HOST + ":" + nobody + "\n");
        runUntilUpThenStop("ferry-agent.service", "ferry.agent.jar", "connecting to relay " + HOST);
    }

    private void runUntilUpThenStop(String unit, String jarProperty, String upLine) throws Exception {
        UnitFile u = UnitFile.read(DeployFiles.systemd(unit));
        String state = "/var/lib/" + u.value("Service.StateDirectory");
        String javaOpts = u.value("Service.Environment").replaceFirst("^JAVA_OPTS=", "");
        List<String> command = new ArrayList<>();
        for (String word : u.value("Service.ExecStart").split("\\s+")) {
            if (word.equals("$JAVA_OPTS")) {
                command.addAll(Arrays.asList(javaOpts.split("\\s+")));
            } else if (word.equals("/usr/bin/java")) {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            } else if (word.startsWith("/opt/ferry/")) {
                command.add(DeployFiles.jar(jarProperty).toString());
            } else if (word.startsWith("/etc/ferry/")) {
                command.add(temp.resolve(word.substring("/etc/ferry/".length())).toString());
            } else {
                command.add(word.equals(state) ? temp.resolve("state").toString() : word);
            }
        }
        Path log = temp.resolve(unit + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Awaitility.await(unit + " up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .failFast(() -> !p.isAlive())
                    .until(() -> Files.readString(log, StandardCharsets.UTF_8).contains(upLine));
            assertThat(u.value("Service.KillSignal")).isEqualTo("SIGTERM");
            p.destroy(); // SIGTERM, once, as systemd's KillMode=mixed sends it to the main process
            assertThat(p.waitFor(Integer.parseInt(u.value("Service.TimeoutStopSec")), TimeUnit.SECONDS))
                    .as(unit + " stops within TimeoutStopSec").isTrue();
            List<String> success = new ArrayList<>(List.of("0"));
            success.addAll(Arrays.asList(u.value("Service.SuccessExitStatus").split("\\s+")));
            assertThat(String.valueOf(p.exitValue())).as(Files.readString(log)).isIn(success);
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
