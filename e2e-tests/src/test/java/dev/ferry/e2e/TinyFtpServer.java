package dev.ferry.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A hand-written FTP server for tests that need replies no real server in the suite sends: it
 * accepts any login, serves one file for RETR (and as the listing for LIST), and words its 227 and 229 replies as told (e.g. a 227
 * without parentheses, a 229 with {@code !} as delimiter). In active mode (PORT, EPRT) it sends the
 * file and its 226 right after each other, as fast as it can, as pure-ftpd does. One client at a
 * time; closed by {@link #close()}.
 */
final class TinyFtpServer implements AutoCloseable {
    private final ServerSocket control;
    private final byte[] file;
    private final IntFunction<String> pasvReply;
    private final IntFunction<String> epsvReply;
    private final Thread acceptor;
    private volatile Socket client;
    private volatile boolean activeRefused;

    /** @param pasvReply the 227 line for a data port on this server's address, without line end; likewise epsvReply */
    TinyFtpServer(String host, byte[] file, IntFunction<String> pasvReply, IntFunction<String> epsvReply)
            throws IOException {
        this.control = new ServerSocket(0, 4, InetAddress.getByName(host));
        this.file = file;
        this.pasvReply = pasvReply;
        this.epsvReply = epsvReply;
        this.acceptor = new Thread(this::serve, "tiny-ftp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** From now on PORT and EPRT are answered {@code 502 Not implemented.}, as by a server without active mode. */
    TinyFtpServer refuseActiveMode() {
        activeRefused = true;
        return this;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) control.getLocalSocketAddress();
    }

    /** {@code h1,h2,h3,h4,p1,p2} for {@code port} on this server's address. */
    String hostPort(int port) {
        return address().getAddress().getHostAddress().replace('.', ',') + "," + (port >> 8) + "," + (port & 0xff);
    }

    private void serve() {
        while (!control.isClosed()) {
            try (Socket s = control.accept()) {
                client = s;
                session(s);
            } catch (IOException e) {
                // the client went away or the server was closed: take the next one
            }
        }
    }

    private void session(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        OutputStream out = s.getOutputStream();
        ServerSocket data = null;
        InetSocketAddress active = null;
        try {
            reply(out, "220 tiny FTP server ready");
            for (String line; (line = in.readLine()) != null; ) {
                String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                if (activeRefused && (verb.equals("PORT") || verb.equals("EPRT"))) {
                    verb = "not implemented";
                }
                switch (verb) {
                    case "USER" -> reply(out, "331 Password please.");
                    case "PASS" -> reply(out, "230 Logged in.");
                    case "TYPE" -> reply(out, "200 Type set.");
                    case "PASV", "EPSV" -> {
                        active = null;
                        if (data != null) {
                            data.close();
                        }
                        data = new ServerSocket(0, 1, control.getInetAddress());
                        int port = data.getLocalPort();
                        reply(out, verb.equals("PASV") ? pasvReply.apply(port) : epsvReply.apply(port));
                    }
                    case "PORT" -> {
                        String[] n = line.substring(5).trim().split(",");
                        active = new InetSocketAddress(String.join(".", n[0], n[1], n[2], n[3]),
                                Integer.parseInt(n[4]) * 256 + Integer.parseInt(n[5]));
                        reply(out, "200 PORT command successful.");
                    }
                    case "EPRT" -> {
                        String arg = line.substring(5).trim();
                        String[] f = arg.substring(1).split(java.util.regex.Pattern.quote(arg.substring(0, 1)));
                        active = new InetSocketAddress(f[1], Integer.parseInt(f[2]));
                        reply(out, "200 EPRT command successful.");
                    }
                    case "RETR", "LIST" -> {
                        if (active != null) {
                            reply(out, "150 Opening data connection.");
                            try (Socket d = new Socket(active.getAddress(), active.getPort())) {
                                d.getOutputStream().write(file);
                            } catch (IOException e) {
                                reply(out, "425 Can't open data connection.");
                                continue;
                            } finally {
                                active = null;
                            }
                            reply(out, "226 Transfer complete.");
                            continue;
                        }
                        if (data == null) {
                            reply(out, "425 Use PASV or EPSV first.");
                            continue;
                        }
                        reply(out, "150 Opening data connection.");
                        try (ServerSocket listening = data; Socket d = listening.accept()) {
                            d.getOutputStream().write(file);
                        }
                        data = null;
                        reply(out, "226 Transfer complete.");
                    }
                    case "QUIT" -> {
                        reply(out, "221 Bye.");
                        return;
                    }
                    default -> reply(out, "502 Not implemented.");
                }
            }
        } finally {
            if (data != null) {
                data.close();
            }
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws Exception {
        control.close();
        Socket s = client;
        if (s != null) {
            s.close();
        }
        acceptor.join(5000);
    }
}
