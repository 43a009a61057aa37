package dev.ferry.agent.cli;

import java.security.Security;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --relay-refresh}: how often the relay name is looked up again, and the JVM's DNS cache to match. */
final class RelayRefresh {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})(ms|s|m|h)");
    /** The JVM caches a name for 30 s by default: longer than a refresh, so new relay nodes would be seen late. */
    static final String DNS_CACHE_SECONDS = "1";

    private RelayRefresh() {
    }

    /** Parses {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}; the message names what is wrong. */
    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 5s or 1m, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("must be between 100ms and 1h, got '" + text + "'");
        }
        return d;
    }

    /** Unless the operator set {@code networkaddress.cache.ttl}, lets a changed relay name be seen within a second. */
    static void limitDnsCache() {
        if (Security.getProperty("networkaddress.cache.ttl") == null
                && System.getProperty("sun.net.inetaddr.ttl") == null) {
            Security.setProperty("networkaddress.cache.ttl", DNS_CACHE_SECONDS);
        }
    }
}
