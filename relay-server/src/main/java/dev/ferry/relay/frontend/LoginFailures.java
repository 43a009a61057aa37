package dev.ferry.relay.frontend;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Failed logins ({@code 530}) per client IP and tunnel, remembered for a window: after a few, the
 * relay delays that client's replies; after more, it refuses the IP on that tunnel until the
 * window passes. Bounded in memory whatever the number of attackers.
 */
public final class LoginFailures {
    private final Cache<String, AtomicInteger> failures;
    private final int beforeDelay;
    private final int beforeBlock;

    public LoginFailures(int beforeDelay, int beforeBlock, Duration window, Ticker ticker) {
        this.beforeDelay = beforeDelay;
        this.beforeBlock = beforeBlock;
        this.failures = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).ticker(ticker).build();
    }

    private static String key(InetAddress ip, String tunnel) {
        return ip.getHostAddress() + "/" + tunnel;
    }

    /** Counts one failure; returns how long to hold the {@code 530} reply back. */
    public Duration failed(InetAddress ip, String tunnel) {
        int n = failures.get(key(ip, tunnel), k -> new AtomicInteger()).incrementAndGet();
        failures.put(key(ip, tunnel), failures.getIfPresent(key(ip, tunnel)));
        if (n <= beforeDelay) {
            return Duration.ZERO;
        }
        return Duration.ofSeconds(Math.min(10, n - beforeDelay));
    }

    public boolean blocked(InetAddress ip, String tunnel) {
        AtomicInteger n = failures.getIfPresent(key(ip, tunnel));
        return n != null && n.get() >= beforeBlock;
    }

    /** A successful login clears the count. */
    public void succeeded(InetAddress ip, String tunnel) {
        failures.invalidate(key(ip, tunnel));
    }
}
