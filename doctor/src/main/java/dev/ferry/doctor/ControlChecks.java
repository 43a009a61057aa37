package dev.ferry.doctor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;

/** The checks on the control connection: connect (greeting), TLS (AUTH TLS, certificate, PROT P), login. */
final class ControlChecks {
    static final String CONNECT = "connect";
    static final String TLS = "tls";
    static final String LOGIN = "login";

    private final DoctorTarget target;
    private final Transcript transcript;

    ControlChecks(DoctorTarget target, Transcript transcript) {
        this.target = target;
        this.transcript = transcript;
    }

    /** Connects (and with TLS, AUTH TLS and the handshake, which commons-net does inside connect): one or two results. */
    List<CheckResult> connect(DoctorClient client) {
        FTPClient ftp = client.ftp();
        String where = target.address();
        try {
            ftp.connect(target.host(), target.port());
        } catch (FTPConnectionClosedException e) {
            return List.of(refusedOrClosed(CONNECT, ftp.getReplyString(), "the relay closed the connection"));
        } catch (SSLException e) {
            if (greeted()) {
                return List.of(CheckResult.ok(CONNECT, where + " answered 220"), tlsFailure(e).as(TLS));
            }
            return List.of(tlsFailure(e).as(CONNECT));
        } catch (IOException e) {
            if (greeted()) {
                return List.of(CheckResult.ok(CONNECT, where + " answered 220"),
                        new Problem("TLS refused", describe(e), "the relay answers AUTH TLS on every FTP port: is this a Ferry relay?").as(TLS));
            }
            return List.of(unreachable(e).as(CONNECT));
        }
        if (transcript.firstReplyCode() != 220) { // the greeting (with TLS the last reply is AUTH's 234)
            return List.of(refusedOrClosed(CONNECT, ftp.getReplyString(), "unexpected greeting"));
        }
        CheckResult connected = CheckResult.ok(CONNECT, where + " answered 220");
        return target.tls() ? List.of(connected, protect(client)) : List.of(connected);
    }

    /** After AUTH TLS: the certificate must name the tunnel, then PBSZ 0 and PROT P. */
    private CheckResult protect(DoctorClient client) {
        Optional<Certificate[]> chain = client.peerCertificates();
        String names = "";
        if (chain.isPresent() && chain.get().length > 0
                && chain.get()[0] instanceof X509Certificate leaf) {
            List<String> certified = CertificateNames.of(leaf);
            if (!CertificateNames.matches(certified, target.tunnel())) {
                return new Problem("TLS certificate mismatch", "the relay's certificate names " + certified + ", not "
                        + target.tunnel(), "install the tunnel's certificate with 'ferry-relay tunnel cert "
                        + target.tunnel() + " --cert FILE --key FILE'").as(TLS);
            }
            names = ", certificate for " + target.tunnel() + " trusted";
        }
        try {
            org.apache.commons.net.ftp.FTPSClient ftps = (org.apache.commons.net.ftp.FTPSClient) client.ftp();
            ftps.execPBSZ(0);
            ftps.execPROT("P");
        } catch (SSLException e) {
            return new Problem("PROT P refused", Problem.answered("the relay", client.ftp().getReplyString()),
                    "the relay answers PBSZ and PROT itself: is this a Ferry relay?").as(TLS);
        } catch (IOException e) {
            return new Problem("connection lost", describe(e), null).as(TLS);
        }
        return CheckResult.ok(TLS, "AUTH TLS" + names + ", PROT P");
    }

    CheckResult login(DoctorClient client) {
        FTPClient ftp = client.ftp();
        try {
            if (ftp.login(target.loginName(), target.password())) {
                return CheckResult.ok(LOGIN, "logged in as " + target.user());
            }
        } catch (FTPConnectionClosedException e) {
            return refusedOrClosed(LOGIN, ftp.getReplyString(), "the relay closed the connection");
        } catch (IOException e) {
            return new Problem("connection lost", describe(e), "see the relay's log for this tunnel").as(LOGIN);
        }
        String reply = ftp.getReplyString();
        return RelayReplies.recognise(reply).orElseGet(() -> new Problem("login refused",
                Problem.answered("the FTP server", reply), "check --user and --password-file; the relay passes the "
                        + "login to the FTP server behind the agent unchanged")).as(LOGIN);
    }

    /** Whether the server's 220 arrived before the failure (the first reply, before any command). */
    private boolean greeted() {
        return transcript.firstReplyCode() == 220;
    }

    private static CheckResult refusedOrClosed(String check, String reply, String what) {
        if (reply == null || reply.isBlank()) {
            return new Problem(what, "no reply", "see the relay's log").as(check);
        }
        return RelayReplies.recognise(reply)
                .orElseGet(() -> new Problem(what, Problem.answered("the relay", reply), null)).as(check);
    }

    private Problem unreachable(IOException e) {
        String hint = "is the relay running, is " + target.address() + " its public address and the tunnel's FTP port "
                + "('ferry-relay tunnel list'), and is the port open in the firewall in front of it?";
        if (e instanceof SocketTimeoutException && e.getMessage() != null && e.getMessage().contains("Read")) {
            return new Problem("relay not answering", "no greeting from " + target.address() + " within "
                    + target.timeout().toSeconds() + " s", hint);
        }
        return new Problem("relay not reachable", "cannot connect to " + target.address() + ": " + describe(e), hint);
    }

    static Problem tlsFailure(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return new Problem("TLS certificate not trusted", describe(e),
                        "pass the tunnel's certificate (or its CA) with --tls-trust FILE");
            }
        }
        return new Problem("TLS handshake failed", describe(e), "see the relay's log; the relay terminates FTPS with the tunnel's certificate");
    }

    /** An exception in a few words: {@code connection refused}, {@code timed out after 10 s}, or its message. */
    static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : Problem.oneLine(m);
    }
}
