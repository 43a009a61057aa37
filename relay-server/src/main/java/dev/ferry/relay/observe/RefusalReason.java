package dev.ferry.relay.observe;

import java.util.Locale;

/** Why the relay turned a client away (or cut it off before its session could run). */
public enum RefusalReason {
    /** More sessions from the client's IP than {@code --max-sessions-per-ip}. */
    PER_IP_CAP,
    /** More sessions to the tunnel than its cap. */
    TUNNEL_CAP,
    /** The tunnel's agent is not connected. */
    AGENT_OFFLINE,
    /** The client's IP failed to log in too often. */
    LOGIN_BLOCKED,
    /** The client sent too much while the relay waited for the server. */
    TOO_MUCH_INPUT;

    /** The label value in metrics and the access log. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
