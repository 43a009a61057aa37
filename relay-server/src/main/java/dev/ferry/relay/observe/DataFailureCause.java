package dev.ferry.relay.observe;

/**
 * Why a client got a 425/426 (or a refused PORT/EPRT): the relay's own refusals are told apart by
 * their reply text; otherwise the agent's reason for a failed data connection, if one came; else the
 * FTP server said so itself.
 */
final class DataFailureCause {
    private DataFailureCause() {
    }

    /** A short label for metrics. */
    static String label(int code, String reply, String agentReason) {
        String r = reply == null ? "" : reply;
        if (r.contains("passive reply could not be understood")) {
            return "passive_reply_unreadable";
        }
        if (r.contains("no passive port available")) {
            return "no_passive_port";
        }
        if (r.contains("could not prepare active mode")) {
            return "active_mode_not_prepared";
        }
        if (r.contains("after PROT P it must use TLS")) {
            return "data_not_tls";
        }
        if (r.contains("TLS session reuse required")) {
            return "data_tls_not_resumed";
        }
        if (r.contains("must name your own address")) {
            return "active_address_refused";
        }
        if (r.contains("port below 1024")) {
            return "active_port_refused";
        }
        if (agentReason != null) {
            return "upstream_data_failed";
        }
        return code == 426 ? "server_aborted" : "server";
    }

}
