package dev.ferry.link;

import java.time.Duration;

/**
 * How both ends of the agent link find out that it died silently (every packet dropped, no FIN, no
 * RST): each sends an HTTP/2 PING after {@link #INTERVAL} without receiving anything and drops the
 * connection if no answer comes in time. HTTP/2 PINGs are not flow-controlled, so a stalled
 * transfer cannot delay them. When the relay drops a link, every call on it fails, so every
 * transfer on it is reset and new clients get 421.
 *
 * <p>The relay's bound is what users see: a dead link is dropped within INTERVAL +
 * {@link #RELAY_TIMEOUT} (15 s) of its last byte. The agent waits longer ({@link #AGENT_TIMEOUT}):
 * gRPC also makes its timeout the agent socket's {@code TCP_USER_TIMEOUT}, so with 5 s a 5 s outage
 * killed every running upload and download although TCP would have ridden it out (measured in the
 * NAT lab); with 10 s it is ridden out. The agent's later detection costs nothing: once the path is
 * back, the relay answers the old connection with a reset and the agent dials at once.
 */
public final class LinkKeepalive {
    /** Quiet time before a PING; gRPC allows no less than 10 s on a client. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    /** How long the relay waits for the answer to its PING before it drops the agent. */
    public static final Duration RELAY_TIMEOUT = Duration.ofSeconds(5);
    /** How long the agent waits for the answer to its PING, and for unacknowledged bytes (TCP_USER_TIMEOUT). */
    public static final Duration AGENT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The most frequent PINGs the relay accepts from an agent: below {@link #INTERVAL}, so an agent's
     * keepalive is never mistaken for abuse (gRPC answers that with GOAWAY ENHANCE_YOUR_CALM).
     */
    public static final Duration PERMIT = Duration.ofSeconds(5);

    private LinkKeepalive() {
    }
}
