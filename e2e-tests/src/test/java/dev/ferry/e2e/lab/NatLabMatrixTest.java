package dev.ferry.e2e.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The NAT lab in CI: builds the namespaces, runs the whole matrix (servers x clients x modes x
 * operations, see deploy/lab/matrix.py, then the FTPS and shared-port columns and the password
 * capture of deploy/lab/ftps_columns.py) across a real NAT, prints it, and tears the lab down even
 * when something fails. Needs root; it fails, never skips, without it.
 */
class NatLabMatrixTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void everyServerClientModeAndOperationPassesAcrossARealNat() throws Exception {
        assertThat(System.getProperty("user.name")).as("the NAT lab needs root (CI runs deploy/ci/test.sh as root)")
                .isEqualTo("root");
        Path relayJar = ROOT.resolve("relay-server/target/ferry-relay.jar");
        Path agentJar = ROOT.resolve("relay-agent/target/ferry-agent.jar");
        assertThat(relayJar).exists();
        assertThat(agentJar).exists();
        String commonsNet = String.join(File.pathSeparator, jarOf(org.apache.commons.net.ftp.FTPClient.class),
                jarOf(org.apache.commons.io.IOUtils.class));
        try {
            assertThat(run(List.of(ROOT.resolve("deploy/lab/natlab.sh").toString(), "up"), 2)).isZero();
            int exit = run(List.of("python3", ROOT.resolve("deploy/lab/matrix.py").toString(),
                    "--relay-jar", relayJar.toString(), "--agent-jar", agentJar.toString(),
                    "--commons-net-classpath", commonsNet), 18);
            assertThat(exit).as("matrix exit status (the failing cells are listed above)").isZero();
        } finally {
            run(List.of(ROOT.resolve("deploy/lab/natlab.sh").toString(), "down"), 2);
            Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            String namespaces = new String(list.getInputStream().readAllBytes());
            list.waitFor(10, TimeUnit.SECONDS);
            assertThat(namespaces).as("namespaces left behind").doesNotContain("ferry-");
            assertThat(Path.of("/etc/netns/ferry-client")).as("the lab's hosts file left behind").doesNotExist();
        }
    }

    private static String jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static int run(List<String> command, int minutes) throws Exception {
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
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
}
