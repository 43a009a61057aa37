package dev.ferry.relay.gateway;

import java.util.OptionalInt;

/** What the gateway needs from its session for passive mode. Called on the channel's event loop. */
public interface PassiveEndpoints {
    /**
     * The server's reply to a forwarded PASV (227) or EPSV (229) announced {@code upstreamPort}
     * (1-65535): lease a public port for this client. Empty when none is free; the client then gets
     * a 425 instead of the reply. The port must be listening when this returns.
     */
    OptionalInt lease(int upstreamPort);
}
