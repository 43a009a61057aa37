package dev.ferry.relay.gateway;

import java.net.Inet4Address;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and rewrites the final line of a 227 (PASV) or 229 (EPSV) reply. Pure functions over the
 * line's text (ISO-8859-1, so every byte maps to one char and back). Only the parenthesised part
 * changes; the server's wording and line end stay.
 */
final class PassiveReplies {
    private static final Pattern PASV = Pattern.compile(
            "\\(\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*\\)");
    private static final Pattern EPSV = Pattern.compile("\\(\\|\\|\\|(\\d{1,5})\\|\\)");

    private PassiveReplies() {
    }

    /** The data port a 227 line announces, or -1 if the line is not a well-formed 227. */
    static int port227(String line) {
        Matcher m = PASV.matcher(line);
        if (!line.startsWith("227") || !m.find()) {
            return -1;
        }
        for (int g = 1; g <= 6; g++) {
            if (Integer.parseInt(m.group(g)) > 255) {
                return -1;
            }
        }
        int port = Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
        return port == 0 ? -1 : port;
    }

    /** The data port a 229 line announces, or -1 if the line is not a well-formed 229. */
    static int port229(String line) {
        Matcher m = EPSV.matcher(line);
        if (!line.startsWith("229") || !m.find()) {
            return -1;
        }
        int port = Integer.parseInt(m.group(1));
        return port < 1 || port > 65535 ? -1 : port;
    }

    static String rewrite227(String line, Inet4Address address, int port) {
        Matcher m = PASV.matcher(line);
        if (!m.find()) {
            throw new IllegalArgumentException("not a 227 line");
        }
        byte[] a = address.getAddress();
        String hostPort = "(" + (a[0] & 0xff) + "," + (a[1] & 0xff) + "," + (a[2] & 0xff) + "," + (a[3] & 0xff) + ","
                + (port >> 8) + "," + (port & 0xff) + ")";
        return line.substring(0, m.start()) + hostPort + line.substring(m.end());
    }

    static String rewrite229(String line, int port) {
        Matcher m = EPSV.matcher(line);
        if (!m.find()) {
            throw new IllegalArgumentException("not a 229 line");
        }
        return line.substring(0, m.start()) + "(|||" + port + "|)" + line.substring(m.end());
    }
}
