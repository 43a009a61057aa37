package dev.ferry.relay.observe;

import java.util.Locale;

/** How an FTP session ended. */
public enum SessionOutcome {
    /** The client logged in and the connection closed (QUIT, client or server close). */
    CLOSED,
    /** The connection closed before any successful login. */
    CLOSED_BEFORE_LOGIN,
    LOGIN_TIMEOUT,
    IDLE_TIMEOUT,
    /** Closed after too many failed logins from the client's IP. */
    LOGIN_BLOCKED,
    /** The agent could not reach the FTP server (or its link closed). */
    UPSTREAM_UNREACHABLE,
    TOO_MUCH_INPUT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
