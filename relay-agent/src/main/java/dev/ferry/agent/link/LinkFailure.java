package dev.ferry.agent.link;

import dev.ferry.link.LinkKeepalive;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns the status that ended a Control call into one line for the operator that names the relay's
 * address and the cause, never a stack trace or gRPC's pipeline dump ("Channel Pipeline: [...]").
 */
public final class LinkFailure {
    private LinkFailure() {
    }

    /**
     * @param relay the relay address as the operator gave it ({@code host:port})
     * @param welcomed whether the relay had welcomed this link (it was live and then dropped)
     */
    public static String describe(Status status, String relay, boolean welcomed) {
        String cause = cause(status, relay, welcomed);
        if (cause.startsWith(relay + " is not a Ferry relay")) {
            return cause;
        }
        return (welcomed ? "link to relay " + relay + " lost: " : "cannot link to relay " + relay + ": ") + cause;
    }

    private static String cause(Status status, String relay, boolean welcomed) {
        for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            String message = firstLine(t.getMessage());
            if (t instanceof ConnectException) {
                String lower = message.toLowerCase(Locale.ROOT);
                return lower.contains("refused") ? "connection refused"
                        : lower.contains("timed out") ? "connection timed out (no answer: packets dropped on the way?)"
                        : "cannot connect (" + message + ")";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + message;
            }
            if (name.equals("SslHandshakeTimeoutException")) {
                return "no TLS answer within 10 s (packets dropped on the way, or not a Ferry relay)";
            }
            if (name.equals("NotSslRecordException") || t instanceof SSLException) {
                return relay + " is not a Ferry relay: TLS handshake failed (" + tlsReason(name, message)
                        + "); is --relay the agent port (7835 by default), not an FTP or web port?";
            }
            if (name.equals("Http2Exception") || name.endsWith("Http2Exception")) {
                return relay + " is not a Ferry relay: it does not speak HTTP/2 (" + message
                        + "); is --relay the agent port (7835 by default), and do both sides agree on --insecure?";
            }
        }
        for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException && t.getMessage() != null) {
                // Netty's native transport says "readAddress(..) failed: Connection reset by peer"
                String message = firstLine(t.getMessage()).replaceFirst("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ", "")
                        .toLowerCase(Locale.ROOT);
                return message.startsWith("connection timed out")
                        ? "connection timed out (bytes unacknowledged for " + LinkKeepalive.AGENT_TIMEOUT.toSeconds()
                                + " s: packets dropped on the way?)"
                        : message;
            }
        }
        String description = firstLine(status.getDescription());
        if (description.contains("Keepalive failed")) {
            return "no answer to keepalive (every packet dropped?)";
        }
        if (status.getCode() == Status.Code.UNAVAILABLE && description.startsWith("Network closed")) {
            return welcomed ? "the relay closed the connection"
                    : "the connection closed before the relay answered (an agent port that expects TLS, or not a Ferry relay)";
        }
        return status.getCode() + (description.isEmpty() ? "" : ": " + description);
    }

    private static String tlsReason(String name, String message) {
        if (name.equals("NotSslRecordException")) {
            return "the peer does not speak TLS";
        }
        return message.length() > 120 ? message.substring(0, 120) + "..." : message;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).trim();
    }
}
