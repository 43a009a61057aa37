package dev.ferry.agent.link;

/** How one connection of the agent link ended, and whether trying again can help. */
public record LinkOutcome(Kind kind, String detail) {
    public enum Kind {
        /** The relay refused the token: retrying cannot help. */
        REFUSED,
        /** The relay's certificate does not match the pin: retrying cannot help. */
        WRONG_CERTIFICATE,
        /** The link dropped or could not be made: try again later. */
        LOST,
        /** The agent is shutting down. */
        STOPPED
    }

    public boolean permanent() {
        return kind == Kind.REFUSED || kind == Kind.WRONG_CERTIFICATE;
    }
}
