import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/**
 * commons-net as a lab client (run with Java's source launcher): the matrix operations against one
 * server in one mode. Usage: HOST PORT MODE(pasv|epsv|active) WORKDIR USER PASSWORD.
 * Prints RESULT op PASS|FAIL detail. commons-net uses the address in a 227 reply, so a wrong
 * rewrite fails the transfers; every raw 227 is also checked.
 */
public class CommonsNetClient {
    static String host;
    static int port;
    static String mode;
    static Path work;
    static String user;
    static String password;
    static final List<String> replies = new ArrayList<>();
    static String expected;

    interface Op {
        String run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        host = args[0];
        port = Integer.parseInt(args[1]);
        mode = args[2];
        work = Path.of(args[3]);
        user = args[4];
        password = args[5];
        expected = sha256(Files.newInputStream(work.resolve("big.bin")));
        op("login-anon", () -> { connect(false).logout(); return ""; });
        op("login-user", () -> { connect(true).logout(); return ""; });
        op("list", () -> {
            FTPClient f = connect(true);
            int n = f.listFiles().length;
            check(f.getReplyCode() == 226, f.getReplyString());
            f.logout();
            return n + " entries";
        });
        op("nlst", () -> {
            FTPClient f = connect(false);
            String[] names = f.listNames("pub");
            check(names != null && List.of(names).stream().anyMatch(n -> n.endsWith("big.bin")), f.getReplyString());
            f.logout();
            return names.length + " names";
        });
        op("retr-100m", () -> {
            FTPClient f = connect(false);
            String sum;
            try (InputStream in = f.retrieveFileStream("pub/big.bin")) {
                check(in != null, f.getReplyString());
                sum = sha256(in);
            }
            check(f.completePendingCommand(), f.getReplyString());
            f.logout();
            check(sum.equals(expected), "sha256 " + sum);
            return "sha256 " + sum.substring(0, 12);
        });
        op("stor-100m", () -> {
            FTPClient f = connect(true);
            try (InputStream in = Files.newInputStream(work.resolve("big.bin"))) {
                check(f.storeFile("up-commons-net-" + mode + ".bin", in), f.getReplyString());
            }
            f.logout();
            return "up-commons-net-" + mode + ".bin";
        });
        op("rest", () -> {
            long half = 30L << 20;
            FTPClient f = connect(false);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream local = Files.newInputStream(work.resolve("big.bin"))) {
                md.update(local.readNBytes((int) half));
            }
            f.setRestartOffset(half);
            try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
                check(f.retrieveFile("pub/big.bin", out), f.getReplyString());
            }
            f.logout();
            String sum = HexFormat.of().formatHex(md.digest());
            check(sum.equals(expected), "resumed sha256 " + sum);
            return "resumed at 30 MiB";
        });
        op("two-at-once", () -> {
            List<Thread> threads = new ArrayList<>();
            List<Boolean> ok = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> {
                    try {
                        FTPClient f = connect(false);
                        String sum;
                        try (InputStream in = f.retrieveFileStream("pub/big.bin")) {
                            sum = sha256(in);
                        }
                        ok.add(f.completePendingCommand() && sum.equals(expected));
                        f.logout();
                    } catch (Exception e) {
                        ok.add(false);
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            check(ok.size() == 2 && !ok.contains(false), ok.toString());
            return "2/2 equal";
        });
        List<String> passive = replies.stream().filter(r -> r.startsWith("227") || r.startsWith("229")).toList();
        List<String> bad = passive.stream().filter(r -> r.startsWith("227") && !r.contains("(198,51,100,1,")).toList();
        if (mode.equals("active")) {
            result("reply-address", passive.isEmpty(), passive.isEmpty() ? "no 227/229 in active mode" : passive.get(0));
        } else {
            result("reply-address", bad.isEmpty() && !passive.isEmpty(),
                    bad.isEmpty() ? passive.size() + " passive replies" : bad.get(0));
        }
    }

    static FTPClient connect(boolean asUser) throws Exception {
        FTPClient f = new FTPClient();
        f.setDefaultTimeout(30_000);
        f.setDataTimeout(java.time.Duration.ofSeconds(30));
        f.addProtocolCommandListener(new ProtocolCommandListener() {
            @Override
            public void protocolCommandSent(ProtocolCommandEvent event) {
            }

            @Override
            public void protocolReplyReceived(ProtocolCommandEvent event) {
                synchronized (replies) {
                    event.getMessage().lines().forEach(replies::add);
                }
            }
        });
        f.connect(host, port);
        check(f.login(asUser ? user : "anonymous", asUser ? password : "lab@example.net"), f.getReplyString());
        f.setFileType(FTP.BINARY_FILE_TYPE);
        if (mode.equals("active")) {
            f.enterLocalActiveMode();
        } else {
            f.enterLocalPassiveMode();
            f.setUseEPSVwithIPv4(mode.equals("epsv"));
        }
        return f;
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

    static void op(String name, Op op) {
        try {
            result(name, true, op.run());
        } catch (Exception | Error e) {
            result(name, false, e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).strip());
        }
    }

    static void result(String op, boolean ok, String detail) {
        System.out.println(("RESULT " + op + " " + (ok ? "PASS" : "FAIL") + " " + detail.replace('\n', ' ')).strip());
        System.out.flush();
    }
}
