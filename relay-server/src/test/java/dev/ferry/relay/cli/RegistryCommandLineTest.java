package dev.ferry.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code --registry*} flags: every mistake is one line naming the flag, and an absent etcd is one line too. */
class RegistryCommandLineTest {
    @TempDir
    Path dir;

    private static void oneLineNaming(RelayCommandLineTest.Run run, String text) {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement().asString().startsWith("ferry-relay: ").contains(text);
        assertThat(run.out()).doesNotContain("ferry_");
    }

    @Test
    void aRegistryThatIsNotEtcdHostPortsIsRefusedNamingTheFlag() {
        oneLineNaming(RelayCommandLineTest.run("serve", "--data-dir", dir.toString(), "--public-address", "127.0.0.5",
                "--registry", "http://127.0.0.1:2379"), "--registry must be etcd://HOST:PORT[,HOST:PORT...], got 'http://127.0.0.1:2379'");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "add", "a.example.net", "--registry", "etcd://127.0.0.1:2379,nowhere"),
                "--registry etcd://127.0.0.1:2379,nowhere: member 'nowhere' is not HOST:PORT");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--registry", "etcd://127.0.0.1:0"),
                "member '127.0.0.1:0' is not HOST:PORT");
    }

    @Test
    void tlsAndAuthFlagsAreCheckedTogetherAndTheirFilesMustExist() throws Exception {
        String etcd = "etcd://127.0.0.1:2379";
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--registry", etcd, "--registry-cacert",
                dir.resolve("missing.pem").toString()), "--registry-cacert " + dir.resolve("missing.pem") + ": no such readable file");
        Path pem = Files.writeString(dir.resolve("x.pem"), "not really");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--registry", etcd, "--registry-cacert", pem.toString(),
                "--registry-cert", pem.toString()), "--registry-cert and --registry-key must be given together");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--registry", etcd, "--registry-cert", pem.toString(),
                "--registry-key", pem.toString()), "--registry-cert needs --registry-cacert");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--registry", etcd, "--registry-user", "ferry"),
                "--registry-user and --registry-password-file must be given together");
        Path empty = Files.writeString(dir.resolve("password"), "");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--registry", etcd, "--registry-user", "ferry",
                "--registry-password-file", empty.toString()), "--registry-password-file " + empty + " is empty");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--data-dir", dir.toString(), "--registry-user", "ferry",
                "--registry-password-file", empty.toString()), "need --registry etcd://HOST:PORT");
        oneLineNaming(RelayCommandLineTest.run("serve", "--data-dir", dir.toString(), "--public-address", "127.0.0.5",
                "--registry", etcd, "--node-id", "no spaces"), "--node-id 'no spaces' must be 1-128 letters");
    }

    @Test
    void anEtcdThatDoesNotAnswerIsOneLineAndNothingIsAdded() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort(); // nothing listens here once the socket is closed
        }
        String etcd = "etcd://127.0.0.1:" + closed;
        oneLineNaming(RelayCommandLineTest.run("tunnel", "add", "a.example.net", "--registry", etcd),
                "tunnel a.example.net was not added: etcd at 127.0.0.1:" + closed);
        oneLineNaming(RelayCommandLineTest.run("tunnel", "list", "--registry", etcd),
                "cannot list tunnels: etcd at 127.0.0.1:" + closed);
        oneLineNaming(RelayCommandLineTest.run("tunnel", "remove", "a.example.net", "--registry", etcd),
                "tunnel a.example.net was not removed: etcd at 127.0.0.1:" + closed);
    }

    @Test
    void certificatesWithARegistryAreRefusedForNowNamingTheFlags() throws Exception {
        Path pem = Files.writeString(dir.resolve("x.pem"), "x");
        oneLineNaming(RelayCommandLineTest.run("tunnel", "add", "a.example.net", "--registry", "etcd://127.0.0.1:2379",
                "--cert", pem.toString(), "--key", pem.toString()), "--cert/--key cannot be used with --registry yet");
    }
}
