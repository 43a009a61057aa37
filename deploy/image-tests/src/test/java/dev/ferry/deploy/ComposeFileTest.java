package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/docker/compose.yaml: Debian's docker-compose (1.29) validates it against the Compose
 * schema, and the services fit together (ports the relay listens on are the ports it publishes,
 * the agent reads the arguments tunnel-setup writes). No image can be pulled here, so compose itself
 * does not run in CI: {@code ComposeTunnelSetupIT} runs tunnel-setup's command in the built image,
 * and {@code ImageTransferIT} runs the three images.
 */
class ComposeFileTest {
    private static final Pattern PUBLISHED = Pattern.compile("(?:\\$\\{[^}]+}|[0-9.]+):([0-9-]+):([0-9-]+)");

    @TempDir
    static Path temp;

    static YamlTree compose;

    @BeforeAll
    static void read() throws Exception {
        compose = YamlTree.read(DeployFiles.docker("compose.yaml"));
    }

    @Test
    void dockerComposeValidatesIt() throws Exception {
        Programs.Result r = composeConfig(DeployFiles.docker("compose.yaml"));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output().strip()).isEmpty();
    }

    @Test
    void theValidationCatchesAMisspelledOption() throws Exception {
        Path copy = Files.writeString(temp.resolve("compose.yaml"), Files.readString(DeployFiles.docker("compose.yaml"))
                .replace("stop_grace_period:", "stop_grace_periode:"));
        Programs.Result r = composeConfig(copy);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("stop_grace_periode");
    }

    @Test
    void everyServiceIsBuiltFromADockerfileInTheRepository() {
        assertThat(compose.map("services")).containsOnlyKeys("tunnel-setup", "relay", "agent", "vsftpd");
        for (String service : List.of("tunnel-setup", "relay", "agent", "vsftpd")) {
            YamlTree s = compose.at("services." + service);
            Path context = DeployFiles.docker("").resolve(s.string("build.context")).normalize();
            Path dockerfile = context.resolve(s.has("build.dockerfile") ? s.string("build.dockerfile") : "Dockerfile");
            assertThat(dockerfile.normalize()).as(service).isRegularFile()
                    .startsWith(DeployFiles.deploy().resolve("docker"));
            assertThat(s.string("build.args.BASE_IMAGE")).as(service + " base image is a build argument")
                    .startsWith("${FERRY_");
        }
        assertThat(compose.string("services.relay.build.args.BASE_IMAGE")).contains("eclipse-temurin:17-jre");
    }

    @Test
    void theRelayPublishesTheSharedPortTheTunnelPortAndThePassiveRangeOneToOne() {
        FlagValues relay = new FlagValues(compose.strings("services.relay.command"), "relay");
        Map<String, String> published = published(compose.strings("services.relay.ports"));
        String ftpPort = String.valueOf(relay.port("--ftp-listen"));
        String tunnelPort = tunnelSetup().value("--ftp-port");
        String passive = relay.value("--passive-ports");
        assertThat(published).containsEntry(ftpPort, ftpPort).containsEntry(tunnelPort, tunnelPort)
                .containsEntry(passive, passive);
        assertThat(relay.value("--data-dir")).isEqualTo("/var/lib/ferry");
        assertThat(compose.strings("services.relay.volumes")).contains("relay-data:/var/lib/ferry");
    }

    @Test
    void theAgentReadsWhatTunnelSetupWritesAndDialsTheRelayAndVsftpd() throws Exception {
        FlagValues setup = tunnelSetup();
        assertThat(setup.value("--relay-address")).isEqualTo("relay:" + new FlagValues(
                compose.strings("services.relay.command"), "relay").valueOr("--agent-listen", "0.0.0.0:7835")
                .replaceAll(".*:", ""));
        assertThat(setup.value("--data-dir")).isEqualTo("/var/lib/ferry");
        assertThat(compose.strings("services.tunnel-setup.volumes"))
                .containsExactlyInAnyOrder("relay-data:/var/lib/ferry", "agent-config:/etc/ferry");
        String script = compose.strings("services.tunnel-setup.command").get(0);
        assertThat(script).contains("> /etc/ferry/agent.args").contains("--upstream vsftpd:21");
        assertThat(compose.strings("services.agent.command")).containsExactly("@/etc/ferry/agent.args");
        assertThat(compose.strings("services.agent.volumes")).containsExactly("agent-config:/etc/ferry:ro");
        assertThat(Files.readAllLines(DeployFiles.docker("vsftpd/vsftpd.conf"))).contains("listen_port=21");
        assertThat(compose.string("services.agent.depends_on.tunnel-setup.condition"))
                .isEqualTo("service_completed_successfully");
        assertThat(compose.string("services.relay.depends_on.tunnel-setup.condition"))
                .isEqualTo("service_completed_successfully");
    }

    @Test
    void relayAndAgentGetLongerThanTheDrainToStop() {
        for (String service : List.of("relay", "agent")) {
            String grace = compose.string("services." + service + ".stop_grace_period");
            assertThat(Integer.parseInt(grace.replace("s", ""))).as(service).isGreaterThan(30);
        }
    }

    private static FlagValues tunnelSetup() {
        String script = compose.strings("services.tunnel-setup.command").get(0);
        Matcher add = Pattern.compile("ferry-relay tunnel add (.*?) >").matcher(script);
        assertThat(add.find()).as(script).isTrue();
        return new FlagValues(List.of(add.group(1).split("\\s+")), "tunnel-setup");
    }

    /** Container port (or range) to host port (or range), from compose's short syntax. */
    private static Map<String, String> published(List<String> ports) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (String p : ports) {
            Matcher m = PUBLISHED.matcher(p);
            assertThat(m.matches()).as(p).isTrue();
            map.put(m.group(2), m.group(1));
        }
        return map;
    }

    private static Programs.Result composeConfig(Path file) throws Exception {
        Programs.assertInstalled("docker-compose");
        return Programs.run(120, List.of("docker-compose", "--project-directory", DeployFiles.docker("").toString(),
                "-f", file.toString(), "config", "-q"));
    }
}
