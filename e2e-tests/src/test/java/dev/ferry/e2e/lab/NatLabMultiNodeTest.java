package dev.ferry.e2e.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The NAT lab with three relay nodes behind one name (see deploy/lab/multinode.py): the agent behind
 * the NAT resolves the name through {@code /etc/netns/ferry-lan/hosts} to three addresses and links
 * to each; a client on each node downloads 100 MiB with equal SHA-256; node 2 is killed with
 * SIGKILL mid-transfer and restarted; a fourth node joins the name. It prints the table and tears
 * the lab down even when something fails. Needs root; it fails, never skips, without it.
 */
class NatLabMultiNodeTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void anAgentBehindTheNatLinksToEveryNodeOfTheNameAndSurvivesOneDying() throws Exception {
        NatLab.Jars jars = NatLab.prerequisites(ROOT);
        try {
            assertThat(NatLab.run(ROOT, List.of(ROOT.resolve("deploy/lab/natlab.sh").toString(), "up"), 2)).isZero();
            int exit = NatLab.run(ROOT, List.of("python3", ROOT.resolve("deploy/lab/multinode.py").toString(),
                    "--relay-jar", jars.relay().toString(), "--agent-jar", jars.agent().toString()), 12);
            assertThat(exit).as("multinode exit status (the failing cases are in the table above)").isZero();
        } finally {
            NatLab.down(ROOT);
        }
        assertThat(Path.of("/etc/netns/ferry-lan")).as("the lab's hosts file left behind").doesNotExist();
    }
}
