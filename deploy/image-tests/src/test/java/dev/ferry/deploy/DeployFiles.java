package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the files under test are: {@code deploy/} of this checkout and the shaded jars. */
final class DeployFiles {
    private DeployFiles() {
    }

    static Path deploy() {
        Path dir = Path.of(System.getProperty("ferry.deploy.dir", "..")).toAbsolutePath().normalize();
        assertThat(dir.resolve("docker")).as("deploy dir (system property ferry.deploy.dir)").isDirectory();
        return dir;
    }

    static Path docker(String file) {
        return deploy().resolve("docker").resolve(file);
    }

    static Path systemd(String file) {
        return deploy().resolve("systemd").resolve(file);
    }

    static Path kubernetes(String file) {
        return deploy().resolve("kubernetes").resolve(file);
    }

    /** A shaded launcher jar named by a system property the pom sets (made by 'mvn package'). */
    static Path jar(String property) {
        Path jar = Path.of(System.getProperty(property, "missing-" + property)).toAbsolutePath().normalize();
        assertThat(Files.isRegularFile(jar)).as(jar + " exists (built by 'mvn package'; run 'mvn verify')").isTrue();
        return jar;
    }
}
