package dev.ferry.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw FTP control connection to the relay from a chosen local address: exact lines in, exact replies out. */
final class RawControl implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final OutputStream out;

    RawControl(String from, int port) throws IOException {
        this(connect(from, port));
    }

    /** The same over a socket that is already connected (one with TLS on it, say). */
    RawControl(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(15_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        out = socket.getOutputStream();
    }

    private static Socket connect(String from, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress(Tunnel.RELAY_HOST, port), 5000);
        return socket;
    }

    /** The final line of the next reply (a multi-line reply's earlier lines are skipped). */
    String reply() throws IOException {
        List<String> lines = replyLines();
        return lines.isEmpty() ? null : lines.get(lines.size() - 1);
    }

    /** Every line of the next reply, without line ends; empty if the connection ended. */
    List<String> replyLines() throws IOException {
        List<String> lines = new ArrayList<>();
        String line = in.readLine();
        if (line == null) {
            return lines;
        }
        lines.add(line);
        if (line.length() > 3 && line.charAt(3) == '-') {
            String code = line.substring(0, 3);
            do {
                line = in.readLine();
                if (line != null) {
                    lines.add(line);
                }
            } while (line != null && !(line.startsWith(code) && line.length() > 3 && line.charAt(3) == ' '));
        }
        return lines;
    }

    /** Sends one command line and returns the final line of its reply. */
    String send(String command) throws IOException {
        write(command + "\r\n");
        return reply();
    }

    /** Sends bytes as they are (several commands at once, say). */
    void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    boolean closedByPeer() {
        try {
            return in.readLine() == null;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
