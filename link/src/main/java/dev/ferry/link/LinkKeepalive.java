package dev.ferry.link;

import java.time.Duration;

/**
 * How both ends of the agent link find out that it died silently (every packet dropped, no FIN, no
 * RST): each sends an HTTP/2 PING after {@link #INTERVAL} without receiving anything and drops the
 * connection if no answer comes within {@link #TIMEOUT}. HTTP/2 PINGs are not flow-controlled, so a
 * stalled transfer cannot delay them. A dead link is noticed within INTERVAL + TIMEOUT of its last
 * byte; its calls fail, so every transfer on it is reset.
 */
public final class LinkKeepalive {
    /** Quiet time before a PING; gRPC allows no less than 10 s on a client. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    /** How long a PING may go unanswered before the connection counts as dead. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    /**
     * The most frequent PINGs the relay accepts from an agent: below {@link #INTERVAL}, so an agent's
     * keepalive is never mistaken for abuse (gRPC answers that with GOAWAY ENHANCE_YOUR_CALM).
     */
    public static final Duration PERMIT = Duration.ofSeconds(5);

    private LinkKeepalive() {
    }
}
