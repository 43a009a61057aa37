package dev.ferry.e2e.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the NAT lab's scripts for the lab tests: output to the test's log, a deadline, teardown. */
final class NatLab {
    private NatLab() {
    }

    /** The relay's and the agent's jars, built by the reactor before the lab runs. */
    record Jars(Path relay, Path agent) {
    }

    /** Checks that the lab can run (root, jars built) and names the jars; fails, never skips. */
    static Jars prerequisites(Path root) {
        assertThat(System.getProperty("user.name")).as("the NAT lab needs root (CI runs deploy/ci/test.sh as root)")
                .isEqualTo("root");
        Jars jars = new Jars(root.resolve("relay-server/target/ferry-relay.jar"),
                root.resolve("relay-agent/target/ferry-agent.jar"));
        assertThat(jars.relay()).exists();
        assertThat(jars.agent()).exists();
        return jars;
    }

    /** Runs {@code command} in {@code root}, printing its output; its exit status, or fails after {@code minutes}. */
    static int run(Path root, List<String> command, int minutes) throws Exception {
        Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            lines.lines().forEach(System.out::println);
        }
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish in " + minutes + " min");
        }
        return p.exitValue();
    }

    /** Tears the lab down and checks that no namespace is left behind. */
    static void down(Path root) throws Exception {
        run(root, List.of(root.resolve("deploy/lab/natlab.sh").toString(), "down"), 2);
        Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String namespaces = new String(list.getInputStream().readAllBytes());
        list.waitFor(10, TimeUnit.SECONDS);
        assertThat(namespaces).as("namespaces left behind").doesNotContain("ferry-");
        assertThat(Path.of("/etc/netns/ferry-client")).as("the lab's hosts file left behind").doesNotExist();
    }
}
