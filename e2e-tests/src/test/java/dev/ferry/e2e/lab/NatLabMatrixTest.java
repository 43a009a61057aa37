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
        NatLab.Jars jars = NatLab.prerequisites(ROOT);
        String commonsNet = String.join(File.pathSeparator, jarOf(org.apache.commons.net.ftp.FTPClient.class),
                jarOf(org.apache.commons.io.IOUtils.class));
        try {
            assertThat(run(List.of(ROOT.resolve("deploy/lab/natlab.sh").toString(), "up"), 2)).isZero();
            int exit = run(List.of("python3", ROOT.resolve("deploy/lab/matrix.py").toString(),
                    "--relay-jar", jars.relay().toString(), "--agent-jar", jars.agent().toString(),
                    "--commons-net-classpath", commonsNet), 18);
            assertThat(exit).as("matrix exit status (the failing cells are listed above)").isZero();
        } finally {
            NatLab.down(ROOT);
        }
    }

    private static String jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static int run(List<String> command, int minutes) throws Exception {
        return NatLab.run(ROOT, command, minutes);
    }
}
