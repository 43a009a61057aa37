package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/systemd/: systemd's own checker accepts the units without a word, they carry the settings
 * the README promises, and systemd-sysusers accepts the user definition. systemd-analyze comes
 * from Debian's systemd package; without it the test fails.
 */
class SystemdUnitsTest {
    /** The relay's and the agent's default --drain-timeout, in seconds. */
    private static final int DRAIN_TIMEOUT_SECONDS = 30;

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"ferry-relay.service", "ferry-agent.service"})
    void systemdAnalyzeVerifyAcceptsTheUnitSilently(String unit) throws Exception {
        assertThat(verify(DeployFiles.systemd(unit))).as("systemd-analyze verify " + unit).isEmpty();
    }

    @Test
    void theVerifyCheckCatchesAMisspelledSetting() throws Exception {
        // systemd-analyze exits 0 on an unknown key and only warns: the check must see the warning.
        String unit = Files.readString(DeployFiles.systemd("ferry-relay.service"))
                .replace("ProtectSystem=strict", "ProtectSytem=strict");
        Path copy = Files.writeString(temp.resolve("ferry-relay.service"), unit);
        assertThat(verify(copy)).contains("Unknown key 'ProtectSytem'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry-relay.service", "ferry-agent.service"})
    void runsAsItsOwnUserAndDrainsOnStop(String unit) throws Exception {
        UnitFile u = UnitFile.read(DeployFiles.systemd(unit));
        String state = unit.replace(".service", "");
        assertThat(u.value("Service.User")).isEqualTo("ferry");
        assertThat(u.value("Service.StateDirectory")).isEqualTo(state);
        assertThat(u.value("Service.ProtectSystem")).isEqualTo("strict");
        assertThat(u.value("Service.NoNewPrivileges")).isEqualTo("yes");
        assertThat(u.value("Service.Restart")).isEqualTo("on-failure");
        assertThat(u.value("Service.KillSignal")).isEqualTo("SIGTERM");
        assertThat(Integer.parseInt(u.value("Service.TimeoutStopSec")))
                .as("TimeoutStopSec above the drain timeout").isGreaterThan(DRAIN_TIMEOUT_SECONDS);
        // The JVM exits 143 after SIGTERM: a clean stop, not a failure to restart from.
        assertThat(u.value("Service.SuccessExitStatus")).contains("143");
        assertThat(u.value("Service.RestartPreventExitStatus")).contains("2");
        assertThat(u.value("Service.ExecStart")).startsWith("/usr/bin/java ").contains("/opt/ferry/" + state + ".jar")
                .contains(" --config /etc/ferry/" + state.replace("ferry-", "") + ".properties");
        assertThat(u.value("Install.WantedBy")).isEqualTo("multi-user.target");
    }

    @Test
    void theRelayBindsPrivilegedPortsWithOneCapabilityAndKeepsItsDataInTheStateDirectory() throws Exception {
        UnitFile u = UnitFile.read(DeployFiles.systemd("ferry-relay.service"));
        assertThat(u.value("Service.AmbientCapabilities")).isEqualTo("CAP_NET_BIND_SERVICE");
        assertThat(u.value("Service.CapabilityBoundingSet")).isEqualTo("CAP_NET_BIND_SERVICE");
        assertThat(u.value("Service.ExecStart")).contains(" serve ").contains(" --data-dir /var/lib/ferry-relay");
    }

    @Test
    void theAgentHasNoCapabilities() throws Exception {
        UnitFile u = UnitFile.read(DeployFiles.systemd("ferry-agent.service"));
        assertThat(u.value("Service.AmbientCapabilities")).isEmpty();
        assertThat(u.value("Service.CapabilityBoundingSet")).isEmpty();
        assertThat(u.value("Service.RestartPreventExitStatus")).contains("3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ferry-relay.service", "ferry-agent.service"})
    void systemdRatesTheSandboxOk(String unit) throws Exception {
        Programs.Result r = Programs.run(60, List.of("systemd-analyze", "security", "--offline=yes", "--no-pager",
                DeployFiles.systemd(unit).toString()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        Matcher m = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+) (\\w+)").matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        // systemd's scale: below 4.0 is "OK", 10 is "UNSAFE" (a unit with no sandboxing at all).
        assertThat(Double.parseDouble(m.group(1))).as(unit + " exposure").isLessThan(4.0);
    }

    @Test
    void systemdSysusersAcceptsTheUser() throws Exception {
        // An empty root, so the user is created whatever this machine has.
        Programs.Result r = Programs.run(60, List.of("systemd-sysusers", "--root=" + temp, "--dry-run",
                DeployFiles.systemd("ferry.sysusers.conf").toString()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Creating user 'ferry'").doesNotContain("ignoring");
    }

    /** What systemd-analyze verify says about {@code unit}: nothing if it accepts it, else its complaints. */
    private static String verify(Path unit) throws Exception {
        Programs.Result r = Programs.run(60, List.of("systemd-analyze", "verify", "--man=no", unit.toString()));
        String said = r.output().strip();
        return r.exitCode() == 0 ? said : "exit " + r.exitCode() + ": " + said;
    }
}
