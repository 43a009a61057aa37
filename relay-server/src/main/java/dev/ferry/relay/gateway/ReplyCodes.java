package dev.ferry.relay.gateway;

/** Reads the code and the last line of a reply the gateway makes itself (whole lines, CR LF). */
final class ReplyCodes {
    private ReplyCodes() {
    }

    /** The three-digit code the reply starts with, or 0. */
    static int code(String reply) {
        if (reply == null || reply.length() < 3) {
            return 0;
        }
        for (int i = 0; i < 3; i++) {
            if (!Character.isDigit(reply.charAt(i))) {
                return 0;
            }
        }
        return Integer.parseInt(reply.substring(0, 3));
    }

    /** The reply's last non-empty line, without its line end. */
    static String lastLine(String reply) {
        String text = reply.strip();
        return text.substring(text.lastIndexOf('\n') + 1).strip();
    }
}
