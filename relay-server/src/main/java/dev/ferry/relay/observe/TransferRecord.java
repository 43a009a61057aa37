package dev.ferry.relay.observe;

import java.time.Duration;
import java.time.Instant;

/**
 * One data transfer (RETR, STOR, LIST, ...) or one refused data-connection command (PASV, PORT, ...)
 * as it ended.
 *
 * @param path the command's argument (never a password: PASS and ACCT are not data commands)
 * @param code the final reply the client got (0: the session ended first)
 * @param reply that reply's last line
 * @param cause why a 425/426 (or a refused data-connection command) happened, as a short label, or null
 * @param detail what the agent said about a failed data connection, or null
 */
public record TransferRecord(Instant time, String sessionId, String tunnel, String client, String user,
        String command, String path, TransferMode mode, long bytesToClient, long bytesFromClient,
        Duration duration, int code, String reply, String cause, String detail) {

    /** A 2xx outcome. */
    public boolean ok() {
        return code >= 200 && code < 300;
    }

    /** A transfer command, not a refused data-connection command. */
    public boolean isTransfer() {
        return !java.util.Set.of("PASV", "EPSV", "PORT", "EPRT").contains(command);
    }
}
