package dev.ferry.relay.gateway;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/** What the gateway needs from its session for passive mode (and any transfer's end). Called on the channel's event loop. */
public interface PassiveEndpoints {
    /**
     * The server's reply to a forwarded PASV (227) or EPSV (229) announced {@code upstreamPort}
     * (1-65535): lease a public port for this client. Empty when none is free; the client then gets
     * a 425 instead of the reply. The port must be listening when this returns.
     */
    OptionalInt lease(int upstreamPort);

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
