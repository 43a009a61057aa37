package dev.ferry.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.commons.net.ftp.FTPClient;

/**
 * One LIST over one data mode, through commons-net, and what went wrong in plain words: the mode
 * command refused (the relay's 425 texts), the passive port not reachable, the relay not connecting
 * back in active mode, TLS on the data connection, or the transfer itself.
 */
final class ListCheck {
    private final DoctorTarget target;
    private final Transcript transcript;

    ListCheck(DoctorTarget target, Transcript transcript) {
        this.target = target;
        this.transcript = transcript;
    }

    CheckResult run(DoctorClient client, DataMode mode) {
        FTPClient ftp = client.ftp();
        String check = mode.name();
        mode.apply(ftp);
        int mark = transcript.mark();
        Socket data;
        try {
            data = client.openData("LIST");
        } catch (SSLException e) {
            return new Problem("TLS on the data connection failed", ControlChecks.describe(e),
                    "the relay's log names the cause (e.g. --require-tls-reuse)").as(check);
        } catch (IOException e) {
            return failedToOpen(ftp, mode, mark, e).as(check);
        }
        if (data == null) {
            return refused(ftp, mode, mark).as(check);
        }
        Optional<Problem> modeFailed = modeRefused(mode, mark);
        if (modeFailed.isPresent()) { // commons-net fell back from a refused EPSV to PASV: not what this check is about
            closeQuietly(data);
            try {
                ftp.completePendingCommand();
            } catch (IOException e) {
                // the mode's failure is the finding
            }
            return modeFailed.get().as(check);
        }
        long lines = 0;
        IOException broken = null;
        try (Socket s = data; InputStream in = s.getInputStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            broken = e;
        }
        try {
            if (ftp.completePendingCommand() && broken == null) {
                return CheckResult.ok(check, "LIST answered " + ftp.getReplyCode() + " with " + lines
                        + (lines == 1 ? " entry" : " entries"));
            }
        } catch (IOException e) {
            return new Problem("LIST failed", "no reply after the listing: " + ControlChecks.describe(e), null).as(check);
        }
        String reply = ftp.getReplyString();
        String evidence = (broken == null ? "" : "the data connection broke (" + ControlChecks.describe(broken) + "), ")
                + Problem.answered("LIST", reply);
        return RelayReplies.recognise(reply).orElseGet(() -> new Problem("LIST failed", evidence,
                "the relay's and the agent's logs name the cause")).as(check);
    }

    /** commons-net returned no socket: the mode command or LIST got a reply it did not expect. */
    private Problem refused(FTPClient ftp, DataMode mode, int mark) {
        return modeRefused(mode, mark).orElseGet(() -> {
            String reply = ftp.getReplyString();
            return RelayReplies.recognise(reply).orElseGet(() -> new Problem("LIST refused",
                    Problem.answered("LIST", reply), null));
        });
    }

    /** The mode command's reply, when it was not the one that opens a data connection (227, 229, 200). */
    private Optional<Problem> modeRefused(DataMode mode, int mark) {
        Optional<Transcript.Entry> modeReply = transcript.finalReplyTo(mode.name(), mark);
        if (modeReply.isEmpty() || modeReply.get().code() == mode.expectedReply()) {
            return Optional.empty();
        }
        String reply = modeReply.get().text();
        Problem p = RelayReplies.recognise(reply).orElseGet(() -> mode.passive()
                ? new Problem(mode.name() + " refused", Problem.answered(mode.name(), reply), null)
                : new Problem("active mode refused", Problem.answered(mode.name(), reply),
                        "the relay accepts PORT only for the address it sees the doctor's control connection come from "
                                + "(a NAT in front of the doctor changes it); users behind NAT use passive mode"));
        // The relay's 425 for an unreadable reply says "passive reply": name the command the server got wrong.
        return Optional.of(p.what().equals(RelayReplies.PASV_UNREADABLE) && mode == DataMode.EPSV
                ? new Problem("EPSV reply unreadable", p.evidence(), p.hint()) : p);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** An exception while opening the data connection: before LIST the passive connect, after it the active accept. */
    private Problem failedToOpen(FTPClient ftp, DataMode mode, int mark, IOException e) {
        if (mode.passive() && !transcript.sent("LIST", mark)) {
            String where = ftp.getPassiveHost() + ":" + ftp.getPassivePort();
            String hint = "open the relay's passive range (--passive-ports) in the firewall in front of the relay";
            if (!ftp.getPassiveHost().equals(ftp.getRemoteAddress().getHostAddress())) {
                hint += "; the reply names " + ftp.getPassiveHost() + " but the doctor reached the relay at "
                        + ftp.getRemoteAddress().getHostAddress() + ": is the relay's --public-address right?";
            }
            return new Problem("passive port not reachable", "connecting to " + where + " from the " + mode.name()
                    + " reply failed: " + ControlChecks.describe(e), hint);
        }
        if (!mode.passive() && e instanceof SocketTimeoutException) {
            String port = transcript.command("PORT", mark).orElse("PORT");
            return new Problem("active mode refused", "the relay did not connect to the doctor's listener ("
                    + port + ") within " + target.timeout().toSeconds() + " s",
                    "a firewall or NAT in front of the doctor blocks connections from the relay; users behind NAT use passive mode");
        }
        return new Problem("LIST failed", ControlChecks.describe(e), "the relay's and the agent's logs name the cause");
    }
}
