import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * commons-net's FTPSClient as a lab client (run with Java's source launcher): one FTPS session,
 * PBSZ 0 and PROT P, then LIST, RETR, STOR and REST. Usage: HOST PORT MODE(pasv|epsv|active)
 * TLS(explicit|implicit) CAFILE WORKDIR USER PASSWORD REMOTE UPLOAD_AS. The server's certificate
 * must chain to CAFILE and name HOST (endpoint checking on; a host name also goes out as SNI).
 * Prints RESULT op PASS|FAIL detail; every raw 227 is checked for the relay's public address.
 */
public class CommonsNetFtpsClient {
    static final List<String> replies = new ArrayList<>();

    interface Op {
        String run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String mode = args[2];
        boolean implicit = args[3].equals("implicit");
        Path ca = Path.of(args[4]);
        Path big = Path.of(args[5]).resolve("big.bin");
        String user = args[6];
        String password = args[7];
        String remote = args[8];
        String uploadAs = args[9];
        String expected = sha256(Files.newInputStream(big));

        FTPSClient f = new FTPSClient("TLS", implicit);
        f.setTrustManager(trustManager(ca));
        f.setEndpointCheckingEnabled(true);
        f.setDefaultTimeout(60_000);
        f.setDataTimeout(java.time.Duration.ofSeconds(60));
        f.addProtocolCommandListener(new ProtocolCommandListener() {
            @Override
            public void protocolCommandSent(ProtocolCommandEvent event) {
            }

            @Override
            public void protocolReplyReceived(ProtocolCommandEvent event) {
                event.getMessage().lines().forEach(replies::add);
            }
        });
        boolean loggedIn = op("prot-p", () -> {
            f.connect(host, port);
            check(f.login(user, password), f.getReplyString());
            f.execPBSZ(0);
            f.execPROT("P");
            check(f.getReplyCode() == 200, f.getReplyString());
            String reply = f.getReplyString().strip();
            f.setFileType(FTP.BINARY_FILE_TYPE);
            if (mode.equals("active")) {
                f.enterLocalActiveMode();
            } else {
                f.enterLocalPassiveMode();
                f.setUseEPSVwithIPv4(mode.equals("epsv"));
            }
            return reply;
        });
        if (!loggedIn) {
            for (String op : List.of("list", "retr-100m", "stor-100m", "rest", "reply-address")) {
                result(op, false, "no FTPS session");
            }
            return;
        }
        op("list", () -> {
            FTPFile[] files = f.listFiles(Path.of(remote).getParent().toString());
            check(f.getReplyCode() == 226, f.getReplyString());
            String name = Path.of(remote).getFileName().toString();
            check(List.of(files).stream().anyMatch(x -> x.getName().equals(name)), files.length + " entries");
            return files.length + " entries";
        });
        op("retr-100m", () -> {
            String sum;
            try (InputStream in = f.retrieveFileStream(remote)) {
                check(in != null, f.getReplyString());
                sum = sha256(in);
            }
            check(f.completePendingCommand(), f.getReplyString());
            check(sum.equals(expected), "sha256 " + sum);
            return "sha256 " + sum.substring(0, 12);
        });
        op("stor-100m", () -> {
            try (InputStream in = Files.newInputStream(big)) {
                check(f.storeFile(uploadAs, in), f.getReplyString());
            }
            return uploadAs;
        });
        op("rest", () -> {
            long offset = 30L << 20;
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream local = Files.newInputStream(big)) {
                md.update(local.readNBytes((int) offset));
            }
            f.setRestartOffset(offset);
            try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
                check(f.retrieveFile(remote, out), f.getReplyString());
            }
            String sum = HexFormat.of().formatHex(md.digest());
            check(sum.equals(expected), "resumed sha256 " + sum);
            return "resumed at 30 MiB";
        });
        try {
            f.logout();
            f.disconnect();
        } catch (Exception e) {
            // the cells above are what counts
        }
        List<String> passive = replies.stream().filter(r -> r.startsWith("227") || r.startsWith("229")).toList();
        List<String> bad = passive.stream().filter(r -> r.startsWith("227") && !r.contains("(198,51,100,1,")).toList();
        if (mode.equals("active")) {
            result("reply-address", passive.isEmpty(), passive.isEmpty() ? "no 227/229 in active mode" : passive.get(0));
        } else {
            result("reply-address", bad.isEmpty() && !passive.isEmpty(),
                    bad.isEmpty() ? passive.size() + " passive replies" : bad.get(0));
        }
    }

    /** Trusts exactly the certificates in the PEM file (a self-signed one is its own anchor). */
    static X509TrustManager trustManager(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("lab-" + i++, cert);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    static void check(boolean ok, String detail) {
        if (!ok) {
            throw new IllegalStateException(detail == null ? "failed" : detail.strip());
        }
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (DigestInputStream d = new DigestInputStream(in, md)) {
            d.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static boolean op(String name, Op op) {
        try {
            result(name, true, op.run());
            return true;
        } catch (Exception | Error e) {
            result(name, false, e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).strip());
            return false;
        }
    }

    static void result(String op, boolean ok, String detail) {
        System.out.println(("RESULT " + op + " " + (ok ? "PASS" : "FAIL") + " " + detail.replace('\n', ' ')).strip());
        System.out.flush();
    }
}
