package dev.ferry.relay.drain;

/** An agent shuts down gracefully: its tunnel's sessions end as the relay's do when it drains. */
public final class AgentDrain {
    /** What the 421 of a session whose agent drains says after "Service closing control connection". */
    public static final String REASON = "the FTP server's Ferry agent is restarting";

    private AgentDrain() {
    }

    /** Each open session of {@code tunnel} ends with 421 once no transfer runs. */
    public static void drainSessions(LiveSessions live, String tunnel) {
        live.ofTunnel(tunnel).forEach(e -> e.drain().drain(REASON));
    }
}
