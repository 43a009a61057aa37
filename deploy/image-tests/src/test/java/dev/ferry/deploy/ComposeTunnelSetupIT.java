package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;

/**
 * compose.yaml's tunnel-setup service, run as compose runs it (its entrypoint and command, in the
 * relay image, with its two volumes): it registers the tunnel and writes the agent's arguments,
 * pointed at the relay and vsftpd services; run again, it changes nothing. (compose itself, with its
 * bridge network, cannot run on this machine's dockerd.)
 */
class ComposeTunnelSetupIT {
    @TempDir
    Path temp;

    @Test
    void tunnelSetupWritesTheAgentArgumentsOnce() throws Exception {
        YamlTree setup = YamlTree.read(DeployFiles.docker("compose.yaml")).at("services.tunnel-setup");
        Path data = writable(temp.resolve("relay-data"));
        Path config = writable(temp.resolve("agent-config"));
        String image = FerryImages.fromSystemProperties().relay();

        run(image, setup, data, config);
        Path args = config.resolve("agent.args");
        String first = Files.readString(args);
        assertThat(first.strip()).matches(
                "--relay relay:7835 --token ferry_\\S+ --pin sha256:[0-9a-f]{64} --upstream vsftpd:21");
        assertThat(data.resolve("tunnels")).isDirectoryContaining(p -> p.getFileName().toString().contains("ftp.localhost"));

        run(image, setup, data, config);
        assertThat(Files.readString(args)).as("a second 'up' keeps the first token").isEqualTo(first);
    }

    private static void run(String image, YamlTree setup, Path data, Path config) {
        try (GenericContainer<?> c = new GenericContainer<>(image).withNetworkMode("none")
                .withEnv("JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1")
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint(setup.strings("entrypoint")))
                .withCommand(setup.strings("command").toArray(String[]::new))
                .withFileSystemBind(data.toString(), "/var/lib/ferry", BindMode.READ_WRITE)
                .withFileSystemBind(config.toString(), "/etc/ferry", BindMode.READ_WRITE)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(120)))) {
            c.start();
        }
    }

    /** A directory the image's user (uid 10001) may write, as compose's named volumes are. */
    private static Path writable(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }
}
