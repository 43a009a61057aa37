package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * vsftpd, a relay and an agent, each in its own container from deploy/docker/, on the host's network
 * (dockerd runs without a bridge here) and on loopback addresses of their own: the relay on
 * {@value #RELAY_HOST}, vsftpd on {@value #VSFTPD_HOST}. The tunnel is added the way an operator
 * manages a relay in a container ({@code docker exec ... ferry-relay tunnel add}), and the agent
 * reads the printed arguments from a file ({@code @/etc/ferry/agent.args}).
 */
final class DockerTunnel implements AutoCloseable {
    static final String RELAY_HOST = "127.0.0.31";
    static final String VSFTPD_HOST = "127.0.0.32";
    static final String NAME = "images.ferry.test";
    private static final String JAVA_OPTS = "-Xmx256m -XX:TieredStopAtLevel=1";
    private static final Pattern AGENT_COMMAND = Pattern.compile("--token (\\S+) --pin (\\S+)");

    private final List<GenericContainer<?>> containers = new ArrayList<>();
    private final Path logs;
    final Path published;
    final Path incoming;
    GenericContainer<?> vsftpd;
    GenericContainer<?> relay;
    GenericContainer<?> agent;
    int ftpPort;
    private int vsftpdPort;
    private int agentPort;
    private String agentCommand;

    private DockerTunnel(Path temp, Path logs) throws IOException {
        this.logs = logs;
        this.published = Files.createDirectories(temp.resolve("ftp/pub"));
        this.incoming = Files.createDirectories(temp.resolve("ftp/incoming"));
        Files.setPosixFilePermissions(published, PosixFilePermissions.fromString("rwxr-xr-x"));
        // vsftpd writes anonymous uploads as its ftp user, whose uid only the container knows.
        Files.setPosixFilePermissions(incoming, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    /** Starts the three containers; {@code logs} receives each container's output when it is closed. */
    static DockerTunnel start(FerryImages images, Path temp, Path logs) throws Exception {
        DockerTunnel t = new DockerTunnel(temp, Files.createDirectories(logs));
        try {
            t.startVsftpd(images.vsftpd());
            t.startRelay(images.relay());
            t.startAgent(images.agent(), temp);
            return t;
        } catch (Exception | AssertionError e) {
            t.close();
            throw e;
        }
    }

    /** A file in vsftpd's pub/ directory, readable by its anonymous user. */
    Path publish(String name, long size, long seed) throws IOException {
        Path file = Checksums.randomFile(published.resolve(name), size, seed);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private void startVsftpd(String image) {
        int port = FreePorts.find(VSFTPD_HOST);
        int[] passive = FreePorts.range(VSFTPD_HOST, 10);
        vsftpd = track(new GenericContainer<>(image).withNetworkMode("host")
                .withFileSystemBind(published.toString(), "/srv/ftp/pub", BindMode.READ_ONLY)
                .withFileSystemBind(incoming.toString(), "/srv/ftp/incoming", BindMode.READ_WRITE)
                .withCommand("-olisten_address=" + VSFTPD_HOST, "-olisten_port=" + port,
                        "-opasv_min_port=" + passive[0], "-opasv_max_port=" + passive[1]));
        vsftpd.start();
        Awaitility.await("vsftpd listening").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Socket s = new Socket(VSFTPD_HOST, port)) {
                return true;
            }
        });
        vsftpdPort = port;
    }

    private void startRelay(String image) throws Exception {
        agentPort = FreePorts.find(RELAY_HOST);
        int[] passive = FreePorts.range(RELAY_HOST, 10);
        relay = track(new GenericContainer<>(image).withNetworkMode("host").withEnv("JAVA_OPTS", JAVA_OPTS)
                .withCommand("serve", "--data-dir", "/var/lib/ferry", "--public-address", RELAY_HOST, "--bind", RELAY_HOST,
                        "--agent-listen", RELAY_HOST + ":" + agentPort, "--ftp-listen", "off",
                        "--passive-ports", passive[0] + "-" + passive[1])
                .waitingFor(Wait.forLogMessage(".*listening for agents.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(120))));
        relay.start();
        ftpPort = FreePorts.find(RELAY_HOST);
        Container.ExecResult added = relay.execInContainer("ferry-relay", "tunnel", "add", NAME,
                "--ftp-port", String.valueOf(ftpPort), "--data-dir", "/var/lib/ferry");
        assertThat(added.getExitCode()).as(added.getStdout() + added.getStderr()).isZero();
        agentCommand = added.getStdout().strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    private void startAgent(String image, Path temp) throws Exception {
        Matcher m = AGENT_COMMAND.matcher(agentCommand);
        assertThat(m.find()).as(agentCommand).isTrue();
        // The agent command tunnel add printed, as the arguments file the README describes.
        Path args = temp.resolve("agent.args");
        Files.writeString(args, "--relay " + RELAY_HOST + ":" + agentPort + " --token " + m.group(1) + " --pin "
                + m.group(2) + " --upstream " + VSFTPD_HOST + ":" + vsftpdPort + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(args, PosixFilePermissions.fromString("rw-r--r--"));
        agent = track(new GenericContainer<>(image).withNetworkMode("host").withEnv("JAVA_OPTS", JAVA_OPTS)
                .withFileSystemBind(args.toString(), "/etc/ferry/agent.args", BindMode.READ_ONLY)
                .withCommand("@/etc/ferry/agent.args")
                .waitingFor(Wait.forLogMessage(".*tunnel " + Pattern.quote(NAME) + " is live at.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(120))));
        agent.start();
    }

    /** {@code docker stop -t timeout}: SIGTERM, and SIGKILL only after {@code timeout}; then its exit code. */
    static long stop(GenericContainer<?> container, Duration timeout) {
        container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout((int) timeout.toSeconds())
                .exec();
        return container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec().getState()
                .getExitCodeLong();
    }

    private GenericContainer<?> track(GenericContainer<?> c) {
        containers.add(c);
        return c;
    }

    @Override
    public void close() {
        for (GenericContainer<?> c : containers) {
            String name = c == relay ? "relay" : c == agent ? "agent" : "vsftpd";
            try {
                if (c.getContainerId() != null) {
                    Files.writeString(logs.resolve(name + ".log"), c.getLogs(), StandardCharsets.UTF_8);
                }
            } catch (IOException | RuntimeException e) {
                // the logs are a convenience; the container is stopped below all the same
            }
            c.stop();
        }
    }
}
