package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Debian's vsftpd, run in the foreground with a configuration the test writes, listening on a
 * loopback address. Needs root and vsftpd ({@code deploy/ci/test.sh} installs it); a test using it
 * fails, never skips, without them.
 */
final class Vsftpd implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/vsftpd");

    private final Process process;
    private final InetSocketAddress address;

    private Vsftpd(Process process, InetSocketAddress address) {
        this.process = process;
        this.address = address;
    }

    /**
     * Starts vsftpd on {@code host:port} with the settings every test shares (foreground, IPv4,
     * no sandbox, no logs) and {@code settings}, and waits until it accepts connections.
     */
    static Vsftpd start(Path temp, String name, String host, int port, List<String> settings) throws Exception {
        assertThat(Files.isExecutable(BINARY)).as("vsftpd is installed (run deploy/ci/test.sh as root)").isTrue();
        assertThat(System.getProperty("user.name")).as("vsftpd needs root").isEqualTo("root");
        Files.createDirectories(Path.of("/var/run/vsftpd/empty"));
        List<String> lines = new ArrayList<>(List.of("listen=YES", "listen_ipv6=NO", "listen_address=" + host,
                "listen_port=" + port, "background=NO", "secure_chroot_dir=/var/run/vsftpd/empty", "seccomp_sandbox=NO",
                "xferlog_enable=NO", "dirmessage_enable=NO"));
        lines.addAll(settings);
        Path conf = temp.resolve(name + ".conf");
        Files.writeString(conf, String.join("\n", lines) + "\n");
        Process process = new ProcessBuilder(BINARY.toString(), conf.toString()).redirectErrorStream(true)
                .redirectOutput(temp.resolve(name + ".out").toFile()).start();
        Vsftpd vsftpd = new Vsftpd(process, new InetSocketAddress(host, port));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                try (Socket s = new Socket(host, port)) {
                    return true;
                }
            });
        } catch (RuntimeException e) {
            vsftpd.close();
            throw e;
        }
        return vsftpd;
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
