package dev.ferry.relay.gateway;

import java.net.Inet4Address;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the final line of the server's 227 reply to PASV, or 229 reply to EPSV, into the line the
 * client gets: the same text and line end with the parenthesised part naming the relay's public
 * address and a leased port; or a 425 when the line cannot be read or no port can be leased. Text
 * is ISO-8859-1, so every byte maps to one char and back.
 *
 * <p>Read tolerantly, sent strictly: a 227 is scanned for its six numbers wherever they stand (RFC
 * 1123 4.1.2.6: {@code 227 =h1,...,p2}, no parentheses, text after), a 229 may use any delimiter
 * of printable ASCII but digits (RFC 2428). What leaves the relay is always {@code (h1,...,p2)}
 * (a 227 whose numbers were not in parentheses becomes {@code 227 Entering Passive Mode (...).})
 * and {@code (|||port|)}.
 */
final class PassiveReplyRewriter {
    static final String UNREADABLE =
            "425 Can't open data connection: the FTP server's passive reply could not be understood.\r\n";
    static final String NO_PORT = "425 Can't open data connection: no passive port available on the relay.\r\n";

    private static final Logger log = LoggerFactory.getLogger(PassiveReplyRewriter.class);
    /** {@code (dddportd)}: the delimiter is any printable ASCII character but a digit, the same four times. */
    private static final Pattern EPSV = Pattern.compile("\\(([\\x21-\\x2f\\x3a-\\x7e])\\1\\1(\\d{1,5})\\1\\)");

    /** What the client gets: {@code text} replaces the whole reply when {@code refused}, else only its final line. */
    record Result(String text, boolean refused) {
    }

    /** The part of the line that names the data port: {@code line.substring(start, end)} is replaced. */
    private record Located(int port, int start, int end) {
    }

    private final Inet4Address publicAddress;
    private final PassiveEndpoints endpoints;

    PassiveReplyRewriter(Inet4Address publicAddress, PassiveEndpoints endpoints) {
        this.publicAddress = publicAddress;
        this.endpoints = endpoints;
    }

    /** @param line the final line of a 227 reply to PASV or 229 reply to EPSV, with its line end */
    Result rewrite(CommandKind kind, String line) {
        Located at = locate(kind, line);
        if (at == null) {
            log.warn("gateway: unreadable passive reply from the FTP server: {}", line.strip());
            return new Result(UNREADABLE, true);
        }
        OptionalInt leased;
        try {
            leased = endpoints.lease(at.port());
        } catch (RuntimeException e) {
            log.warn("gateway: leasing a passive port for upstream port {} failed", at.port(), e);
            leased = OptionalInt.empty();
        }
        if (leased.isEmpty() || leased.getAsInt() < 1 || leased.getAsInt() > 65535) {
            return new Result(NO_PORT, true);
        }
        int port = leased.getAsInt();
        String inner = kind == CommandKind.PASV ? HostPortCodec.encode(publicAddress, port) : "|||" + port + "|";
        if (at.start() < 0) {
            return new Result("227 Entering Passive Mode (" + inner + ")." + lineEnd(line), false);
        }
        return new Result(line.substring(0, at.start()) + "(" + inner + ")" + line.substring(at.end()), false);
    }

    /** The data port (1-65535) the final line of a 227 (PASV) or 229 (EPSV) reply announces, or -1. */
    static int upstreamPort(CommandKind kind, String line) {
        Located at = locate(kind, line);
        return at == null ? -1 : at.port();
    }

    /**
     * Where the port is named: for 229 the first {@code (dddportd)}; for 227 the first run of six
     * numbers, with its parentheses if it has them (start -1 when it has none: the whole line is
     * then replaced). Null when there is none or the port is not 1-65535.
     */
    private static Located locate(CommandKind kind, String line) {
        if (kind == CommandKind.PASV && line.startsWith("227")) {
            return HostPortCodec.find(line, 3).filter(f -> f.address().getPort() >= 1).map(f -> {
                int open = skipBack(line, f.start());
                int close = skipForward(line, f.end());
                boolean enclosed = open > 0 && line.charAt(open - 1) == '(' && close < line.length() && line.charAt(close) == ')';
                return enclosed ? new Located(f.address().getPort(), open - 1, close + 1)
                        : new Located(f.address().getPort(), -1, -1);
            }).orElse(null);
        }
        if (kind == CommandKind.EPSV && line.startsWith("229")) {
            Matcher m = EPSV.matcher(line);
            if (m.find()) {
                int port = Integer.parseInt(m.group(2));
                return port >= 1 && port <= 65535 ? new Located(port, m.start(), m.end()) : null;
            }
        }
        return null;
    }

    private static int skipBack(String line, int i) {
        while (i > 0 && (line.charAt(i - 1) == ' ' || line.charAt(i - 1) == '\t')) {
            i--;
        }
        return i;
    }

    private static int skipForward(String line, int i) {
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static String lineEnd(String line) {
        return line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
    }
}
