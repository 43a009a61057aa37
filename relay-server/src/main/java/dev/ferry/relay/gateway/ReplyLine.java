package dev.ferry.relay.gateway;

/**
 * One line of a server reply, classified by the RFC 959 rule: {@code NNN } ends a reply,
 * {@code NNN-} starts a multi-line one, anything else continues it.
 */
record ReplyLine(int code, boolean last, boolean hasCode) {
    static ReplyLine of(byte[] line) {
        if (line.length >= 4 && digit(line[0]) && digit(line[1]) && digit(line[2])
                && (line[3] == ' ' || line[3] == '-' || line[3] == '\r' || line[3] == '\n')) {
            int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            return new ReplyLine(code, line[3] != '-', true);
        }
        if (line.length == 3 && digit(line[0]) && digit(line[1]) && digit(line[2])) {
            return new ReplyLine((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'), true, true);
        }
        return new ReplyLine(0, false, false);
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }
}
