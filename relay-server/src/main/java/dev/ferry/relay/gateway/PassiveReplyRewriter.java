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
 */
final class PassiveReplyRewriter {
    static final String UNREADABLE =
            "425 Can't open data connection: the FTP server's passive reply could not be understood.\r\n";
    static final String NO_PORT = "425 Can't open data connection: no passive port available on the relay.\r\n";

    private static final Logger log = LoggerFactory.getLogger(PassiveReplyRewriter.class);
    /** The first parenthesised group; its content must be six numbers (RFC 1123 4.1.2.6 form). */
    private static final Pattern PARENTHESES = Pattern.compile("\\(([^()]*)\\)");
    private static final Pattern EPSV = Pattern.compile("\\(\\|\\|\\|(\\d{1,5})\\|\\)");

    /** What the client gets: {@code text} replaces the whole reply when {@code refused}, else only its final line. */
    record Result(String text, boolean refused) {
    }

    private final Inet4Address publicAddress;
    private final PassiveEndpoints endpoints;

    PassiveReplyRewriter(Inet4Address publicAddress, PassiveEndpoints endpoints) {
        this.publicAddress = publicAddress;
        this.endpoints = endpoints;
    }

    /** @param line the final line of a 227 reply to PASV or 229 reply to EPSV, with its line end */
    Result rewrite(CommandKind kind, String line) {
        int upstream = upstreamPort(kind, line);
        if (upstream < 0) {
            log.warn("gateway: unreadable passive reply from the FTP server: {}", line.strip());
            return new Result(UNREADABLE, true);
        }
        OptionalInt leased;
        try {
            leased = endpoints.lease(upstream);
        } catch (RuntimeException e) {
            log.warn("gateway: leasing a passive port for upstream port {} failed", upstream, e);
            leased = OptionalInt.empty();
        }
        if (leased.isEmpty() || leased.getAsInt() < 1 || leased.getAsInt() > 65535) {
            return new Result(NO_PORT, true);
        }
        int port = leased.getAsInt();
        Matcher m = locate(kind, line);
        String inner = kind == CommandKind.PASV ? HostPortCodec.encode(publicAddress, port) : "|||" + port + "|";
        return new Result(line.substring(0, m.start()) + "(" + inner + ")" + line.substring(m.end()), false);
    }

    /** The data port (1-65535) the final line of a 227 (PASV) or 229 (EPSV) reply announces, or -1. */
    static int upstreamPort(CommandKind kind, String line) {
        Matcher m = locate(kind, line);
        if (m == null) {
            return -1;
        }
        int port = kind == CommandKind.PASV
                ? HostPortCodec.decode(m.group(1)).map(a -> a.getPort()).orElse(0)
                : Integer.parseInt(m.group(1));
        return port >= 1 && port <= 65535 ? port : -1;
    }

    /**
     * The parenthesised part that decides: for 227 the first group with six comma-separated fields
     * (checked by the caller), for 229 the first {@code (|||port|)}. Null when there is none.
     */
    private static Matcher locate(CommandKind kind, String line) {
        if (kind == CommandKind.PASV && line.startsWith("227")) {
            Matcher m = PARENTHESES.matcher(line);
            while (m.find()) {
                if (m.group(1).chars().filter(c -> c == ',').count() == 5) {
                    return m;
                }
            }
        } else if (kind == CommandKind.EPSV && line.startsWith("229")) {
            Matcher m = EPSV.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        return null;
    }
}
