package dev.ferry.relay.gateway;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RFC 959 {@code h1,h2,h3,h4,p1,p2} form of an IPv4 address and port (PORT arguments, 227
 * replies), both ways. Pure; never resolves a name.
 */
final class HostPortCodec {
    /** Six comma-separated numbers that are not part of a longer list of numbers. */
    private static final Pattern SIX_NUMBERS =
            Pattern.compile("(?<![\\d,])\\d{1,3}(?:[ \\t]*,[ \\t]*\\d{1,3}){5}(?![ \\t]*,|\\d)");

    /** Where {@link #find} found the six numbers: {@code text.subSequence(start, end)}, decoded. */
    record Found(InetSocketAddress address, int start, int end) {
    }

    private HostPortCodec() {
    }

    /**
     * Scans {@code text} from {@code from} for the first run of exactly six comma-separated numbers,
     * wherever it stands (RFC 1123 4.1.2.6: with or without parentheses, any text around it), and
     * decodes it. Empty when there is no such run or the first one is not an address and port.
     */
    static Optional<Found> find(CharSequence text, int from) {
        Matcher m = SIX_NUMBERS.matcher(text);
        if (from > text.length() || !m.find(from)) {
            return Optional.empty();
        }
        return decode(m.group()).map(a -> new Found(a, m.start(), m.end()));
    }

    /**
     * Six comma-separated decimal numbers 0-255, each of 1-3 digits, spaces around each allowed.
     * Empty for anything else. The port may be 0: callers decide whether that is acceptable.
     */
    static Optional<InetSocketAddress> decode(CharSequence text) {
        String[] fields = text.toString().split(",", -1);
        if (fields.length != 6) {
            return Optional.empty();
        }
        int[] n = new int[6];
        for (int i = 0; i < 6; i++) {
            n[i] = number(fields[i].strip());
            if (n[i] < 0) {
                return Optional.empty();
            }
        }
        byte[] ip = {(byte) n[0], (byte) n[1], (byte) n[2], (byte) n[3]};
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), n[4] * 256 + n[5]));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    /** {@code address} and {@code port} (0-65535) as {@code h1,h2,h3,h4,p1,p2}. */
    static String encode(Inet4Address address, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        byte[] a = address.getAddress();
        return (a[0] & 0xff) + "," + (a[1] & 0xff) + "," + (a[2] & 0xff) + "," + (a[3] & 0xff) + ","
                + (port >> 8) + "," + (port & 0xff);
    }

    /** A decimal number 0-255 of 1-3 ASCII digits, or -1. */
    private static int number(String s) {
        if (s.isEmpty() || s.length() > 3) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= 255 ? v : -1;
    }
}
