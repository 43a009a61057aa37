package dev.ferry.relay.observe;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The status page at {@code /} of the admin listener: tunnels, live sessions with their running
 * transfer, and the last failures, rendered on the server as one HTML document with inline style
 * and no script. It reloads itself every {@code refreshSeconds}. Every value from outside (tunnel
 * names, user names, paths, commands, reply texts) is HTML-escaped.
 */
public final class StatusPage {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private final int refreshSeconds;

    public StatusPage(int refreshSeconds) {
        if (refreshSeconds < 1) {
            throw new IllegalArgumentException("refreshSeconds must be at least 1, got " + refreshSeconds);
        }
        this.refreshSeconds = refreshSeconds;
    }

    public String render(LiveState state, Instant now) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">")
                .append("<title>Ferry relay status</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}")
                .append("h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}")
                .append("table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .6em;")
                .append("border-bottom:1px solid #ddd;vertical-align:top}th{background:#f3f3f3}")
                .append(".online{color:#176b1d;font-weight:bold}.offline{color:#a31515;font-weight:bold}")
                .append(".num{text-align:right;font-variant-numeric:tabular-nums}.empty{color:#777}")
                .append("</style></head><body>\n");
        h.append("<h1>Ferry relay</h1><p>").append(esc(TIME.format(now)))
                .append(" &middot; refreshes every ").append(refreshSeconds).append(" s</p>\n");
        tunnels(h, state.tunnels());
        sessions(h, state.sessions());
        failures(h, state.failures());
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void tunnels(StringBuilder h, List<LiveState.TunnelView> tunnels) {
        h.append("<h2>Tunnels</h2>\n<table id=\"tunnels\"><tr><th>Tunnel</th><th>FTP port</th><th>State</th>")
                .append("<th>Agent</th><th>Connected since</th><th class=\"num\">Sessions open</th>")
                .append("<th class=\"num\">Sessions total</th><th class=\"num\">To clients</th>")
                .append("<th class=\"num\">From clients</th></tr>\n");
        if (tunnels.isEmpty()) {
            h.append("<tr><td colspan=\"9\" class=\"empty\">No tunnels.</td></tr>\n");
        }
        for (LiveState.TunnelView t : tunnels) {
            h.append("<tr><td>").append(esc(t.name())).append("</td><td>")
                    .append(t.ftpPort() == 0 ? "shared only" : Integer.toString(t.ftpPort())).append("</td><td class=\"")
                    .append(t.online() ? "online\">online" : "offline\">offline").append("</td><td>")
                    .append(esc(t.agentAddress() == null ? "" : t.agentAddress())).append("</td><td>")
                    .append(t.connectedSince() == null ? "" : esc(TIME.format(t.connectedSince())))
                    .append("</td><td class=\"num\">").append(t.sessionsOpen())
                    .append("</td><td class=\"num\">").append(t.sessionsTotal())
                    .append("</td><td class=\"num\">").append(bytes(t.bytesToClient()))
                    .append("</td><td class=\"num\">").append(bytes(t.bytesFromClient())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void sessions(StringBuilder h, List<SessionView> sessions) {
        h.append("<h2>Live sessions</h2>\n<table id=\"sessions\"><tr><th>Tunnel</th><th>Session</th><th>Client</th>")
                .append("<th>User</th><th>Command</th><th>Transfer</th><th class=\"num\">Progress</th>")
                .append("<th class=\"num\">Rate</th></tr>\n");
        if (sessions.isEmpty()) {
            h.append("<tr><td colspan=\"8\" class=\"empty\">No sessions.</td></tr>\n");
        }
        for (SessionView s : sessions) {
            h.append("<tr><td>").append(esc(s.tunnel())).append("</td><td>").append(esc(s.id()))
                    .append("</td><td>").append(esc(s.client())).append("</td><td>").append(esc(s.user()))
                    .append("</td><td>").append(esc(s.command())).append("</td>");
            if (s.transfer().isPresent()) {
                SessionView.TransferView t = s.transfer().get();
                h.append("<td class=\"transfer\">").append(esc(t.command()))
                        .append(t.path().isEmpty() ? "" : " " + esc(t.path())).append(" (")
                        .append(t.mode().label()).append(")</td><td class=\"num\">")
                        .append(bytes(t.bytesToClient() + t.bytesFromClient())).append(" in ")
                        .append(seconds(t.elapsed())).append("</td><td class=\"num\">").append(bytes(t.rate()))
                        .append("/s</td>");
            } else {
                h.append("<td class=\"empty\">idle</td><td></td><td></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void failures(StringBuilder h, List<Failure> failures) {
        h.append("<h2>Last failures</h2>\n<table id=\"failures\"><tr><th>Time</th><th>Tunnel</th><th>Client</th>")
                .append("<th>What</th><th>Cause</th></tr>\n");
        if (failures.isEmpty()) {
            h.append("<tr><td colspan=\"5\" class=\"empty\">None.</td></tr>\n");
        }
        for (Failure f : failures) {
            h.append("<tr><td>").append(esc(TIME.format(f.time()))).append("</td><td>").append(esc(f.tunnel()))
                    .append("</td><td>").append(esc(f.client())).append("</td><td>").append(esc(f.what()))
                    .append("</td><td>").append(esc(f.cause() == null ? "" : f.cause())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Escapes text for an HTML element or a quoted attribute. */
    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\t' ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }
}
