package dev.ferry.relay.gateway;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/** What the gateway needs from its session for passive and active mode. Called on the channel's event loop. */
public interface DataEndpoints extends PassiveEndpoints {
    /**
     * The client asked for active mode at {@code client} (already checked: its own IP, port >= 1024).
     * Completes with the address the FTP server must connect to instead (where the agent listens).
     */
    CompletionStage<InetSocketAddress> prepareActive(InetSocketAddress client);
}
