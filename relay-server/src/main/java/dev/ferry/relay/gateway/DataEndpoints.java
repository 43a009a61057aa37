package dev.ferry.relay.gateway;

import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/** What the gateway needs from its session to set up data connections. Called on the channel's event loop. */
public interface DataEndpoints {
    /**
     * The server's reply to a forwarded PASV or EPSV announced {@code upstreamPort}: lease a public
     * port for this client. Empty when none is free (the client then gets 425). The port must be
     * listening when this returns.
     */
    OptionalInt lease(int upstreamPort);

    /**
     * The client asked for active mode at {@code client} (already checked: its own IP, port >= 1024).
     * Completes with the address the FTP server must connect to instead (where the agent listens).
     */
    CompletionStage<InetSocketAddress> prepareActive(InetSocketAddress client);
}
