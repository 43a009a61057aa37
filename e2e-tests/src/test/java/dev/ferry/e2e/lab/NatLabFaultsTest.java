package dev.ferry.e2e.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The NAT lab's fault cases in CI (see deploy/lab/faults.py): kill -9 of the agent, the relay and
 * vsftpd during a 500 MiB RETR and STOR, the link cut for 5 s and 60 s, 40 stalled readers. It
 * prints the table (fault, what the client saw, what the operator saw, PASS/FAIL) and tears the lab
 * down even when something fails. Needs root; it fails, never skips, without it. It takes about
 * five minutes: the 60 s cut and the restarts are real time.
 */
class NatLabFaultsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void everyFaultEndsInAnErrorTheOperatorCanSeeAndAResumeWithEqualBytes() throws Exception {
        NatLab.Jars jars = NatLab.prerequisites(ROOT);
        try {
            assertThat(NatLab.run(ROOT, List.of(ROOT.resolve("deploy/lab/natlab.sh").toString(), "up"), 2)).isZero();
            int exit = NatLab.run(ROOT, List.of("python3", ROOT.resolve("deploy/lab/faults.py").toString(),
                    "--relay-jar", jars.relay().toString(), "--agent-jar", jars.agent().toString()), 15);
            assertThat(exit).as("faults exit status (the failing cases are in the table above)").isZero();
        } finally {
            NatLab.down(ROOT);
        }
    }
}
