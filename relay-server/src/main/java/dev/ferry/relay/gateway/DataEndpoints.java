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

    /**
     * The server's final reply (code {@code code}) to a transfer that sent a 1xx is about to go to the
     * client. Null: it goes now. Otherwise it waits, with everything the server sends after it,
     * until the stage completes: with null it goes as the server sent it, with a reply (whole lines,
     * CR LF) that replaces it if it is a transfer outcome (226, 250, 425, 426, 451). Active mode
     * needs this: the server's 226 travels apart from its data, and a client that reads it before
     * the relay has connected to its data port stops listening.
     */
    default CompletionStage<String> finalReplyDue(int code) {
        return null;
    }
}
