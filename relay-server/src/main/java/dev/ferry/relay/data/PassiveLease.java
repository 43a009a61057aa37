package dev.ferry.relay.data;

/** A passive data port leased to one session: it accepts one connection from the client's IP, then closes. */
public interface PassiveLease {
    int port();

    /** Stops listening and returns the port to the pool. Idempotent. */
    void release();
}
