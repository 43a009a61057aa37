package dev.ferry.doctor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * Logs into a tunnel through the relay, as a user would, and lists the home directory over PASV,
 * EPSV and PORT (over FTPS when the target says TLS). One {@link CheckResult} per check; once the
 * connection or the login fails, the checks after it are skipped.
 */
public final class TunnelDoctor {
    /** Exit code of a doctor command when every check passed. */
    public static final int EXIT_OK = 0;
    /** Exit code when any check failed. */
    public static final int EXIT_FAILED = 1;

    private final DoctorTarget target;
    private final Supplier<DoctorClient> clients;

    /** A doctor speaking through commons-net, plain or explicit FTPS as the target says. */
    public TunnelDoctor(DoctorTarget target) {
        this(target, () -> target.tls() ? new DoctorClient.Tls(target.tunnel()) : new DoctorClient.Plain());
    }

    TunnelDoctor(DoctorTarget target, Supplier<DoctorClient> clients) {
        this.target = target;
        this.clients = clients;
    }

    public List<CheckResult> run() {
        Transcript transcript = new Transcript();
        DoctorClient client = clients.get();
        configure(client.ftp(), transcript);
        ControlChecks control = new ControlChecks(target, transcript);
        List<CheckResult> results = new ArrayList<>(control.connect(client));
        try {
            if (results.stream().anyMatch(CheckResult::failed)) {
                skipRest(results, "no connection");
                return results;
            }
            CheckResult login = control.login(client);
            results.add(login);
            if (login.failed()) {
                skipRest(results, "login failed");
                return results;
            }
            ListCheck list = new ListCheck(target, transcript);
            for (DataMode mode : DataMode.values()) {
                results.add(list.run(client, mode));
            }
            return results;
        } finally {
            disconnect(client.ftp());
        }
    }

    /** {@link #EXIT_OK} when nothing failed, else {@link #EXIT_FAILED}. */
    public static int exitCode(List<CheckResult> results) {
        return results.stream().anyMatch(CheckResult::failed) ? EXIT_FAILED : EXIT_OK;
    }

    /** The line that heads the output: what is checked, where, as whom. */
    public String heading() {
        return "ferry doctor: tunnel " + target.tunnel() + " through " + target.address()
                + (target.sharedPort() ? " (shared port, USER " + target.loginName() + ")" : "")
                + (target.tls() ? " over FTPS" : "") + ", user " + target.user();
    }

    private void configure(FTPClient ftp, Transcript transcript) {
        int ms = (int) target.timeout().toMillis();
        ftp.setConnectTimeout(ms);
        ftp.setDefaultTimeout(ms);
        ftp.setDataTimeout(target.timeout());
        // The doctor tests the address the relay wrote into its 227 (commons-net ignores it by default,
        // as curl and ftplib do; other clients use it): no NAT guessing, no peer check.
        ftp.setIpAddressFromPasvResponse(true);
        ftp.setPassiveNatWorkaroundStrategy(null);
        ftp.setRemoteVerificationEnabled(false);
        ftp.addProtocolCommandListener(transcript);
        if (ftp instanceof FTPSClient ftps) {
            ftps.setTrustManager(target.trust() != null ? target.trust() : PemTrust.jdkDefault());
        }
    }

    private static void skipRest(List<CheckResult> results, String why) {
        List<String> ran = results.stream().map(CheckResult::check).toList();
        if (!ran.contains(ControlChecks.LOGIN)) {
            results.add(CheckResult.skip(ControlChecks.LOGIN, why));
        }
        for (DataMode mode : DataMode.values()) {
            results.add(CheckResult.skip(mode.name(), why));
        }
    }

    private static void disconnect(FTPClient ftp) {
        if (!ftp.isConnected()) {
            return;
        }
        try {
            ftp.logout();
        } catch (IOException e) {
            // going anyway
        }
        try {
            ftp.disconnect();
        } catch (IOException e) {
            // closed
        }
    }
}
