package dev.ferry.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A hand-driven FTP control connection for attack tests: send exact commands, read exact replies,
 * start TLS with a given client context (the JDK resumes a session cached for the same host and port).
 */
final class RawFtp implements AutoCloseable {
    private static final Pattern PASV = Pattern.compile("\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)");
    private Socket socket;
    private BufferedReader in;

    RawFtp(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    static RawFtp connect(String host, int port) throws IOException {
        return new RawFtp(new Socket(host, port));
    }

    /** The final line of the next reply (continuation lines skipped); null at end of stream. */
    String reply() throws IOException {
        String line = in.readLine();
        while (line != null && !(line.length() >= 4 && Character.isDigit(line.charAt(0)) && line.charAt(3) == ' ')) {
            line = in.readLine();
        }
        return line;
    }

    String send(String command) throws IOException {
        socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return reply();
    }

    void write(String command) throws IOException {
        socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Sends AUTH TLS (expects 234) and completes the handshake with {@code context}. */
    RawFtp startTls(SSLContext context, String host, int port) throws IOException {
        String reply = send("AUTH TLS");
        if (!reply.startsWith("234 ")) {
            throw new IOException("AUTH TLS refused: " + reply);
        }
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        socket = tls;
        in = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Sends PASV and returns the port of the 227 reply. */
    int pasv() throws IOException {
        String reply = send("PASV");
        Matcher m = PASV.matcher(reply);
        if (!reply.startsWith("227 ") || !m.find()) {
            throw new IOException("PASV failed: " + reply);
        }
        return Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
    }

    Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
