package dev.ferry.relay.config;

import java.time.Duration;

/**
 * What the relay enforces per client and per tunnel, against the real client IP (the FTP server
 * behind the agent sees only the agent's address, so its own limits cannot). Errors name the flag.
 *
 * @param sessionsPerIp concurrent control connections from one client IP, across all tunnels
 * @param sessionsPerTunnel concurrent control connections to one tunnel
 * @param leasesPerIp passive ports leased to one client IP at once
 * @param loginTimeout connect to {@code 230}: a session that has not logged in by then is closed with 421
 * @param idleTimeout no control traffic and no open data connection for this long: closed with 421
 * @param loginFailuresBeforeDelay failed logins ({@code 530}) from one IP on one tunnel before replies are delayed
 * @param loginFailuresBeforeBlock failed logins before the IP is refused ({@code 421}) on that tunnel
 * @param loginFailureWindow how long failures are remembered, and how long a block lasts
 */
public record Limits(int sessionsPerIp, int sessionsPerTunnel, int leasesPerIp, Duration loginTimeout,
        Duration idleTimeout, int loginFailuresBeforeDelay, int loginFailuresBeforeBlock, Duration loginFailureWindow) {

    public static final Limits DEFAULTS = new Limits(20, 1000, 20, Duration.ofSeconds(30), Duration.ofMinutes(10),
            3, 10, Duration.ofMinutes(15));

    public Limits {
        atLeastOne(sessionsPerIp, "--max-sessions-per-ip");
        atLeastOne(sessionsPerTunnel, "--max-sessions-per-tunnel");
        atLeastOne(leasesPerIp, "--max-passive-per-ip");
        positive(loginTimeout, "--login-timeout");
        positive(idleTimeout, "--idle-timeout");
        positive(loginFailureWindow, "--login-failure-window");
        atLeastOne(loginFailuresBeforeDelay, "login failures before delay");
        if (loginFailuresBeforeBlock < loginFailuresBeforeDelay) {
            throw new IllegalArgumentException("--max-login-failures must be >= " + loginFailuresBeforeDelay
                    + ", got " + loginFailuresBeforeBlock);
        }
    }

    private static void atLeastOne(int value, String flag) {
        if (value < 1) {
            throw new IllegalArgumentException(flag + " must be at least 1, got " + value);
        }
    }

    private static void positive(Duration d, String flag) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(flag + " must be positive, got " + d);
        }
    }
}
