package dev.ferry.agent.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Collects one FTP reply from the server, however the bytes are split: single-line {@code NNN text}
 * or multi-line {@code NNN-...} up to the line starting {@code NNN } (RFC 959 4.2). Lines may end
 * in CRLF or a bare LF.
 */
final class UpstreamReply {
    /** A reply longer than this is not an FTP server talking. */
    static final int MAX_BYTES = 64 * 1024;

    /** A complete reply: its code, its first line (without the line end) and its exact bytes. */
    record Reply(int code, String firstLine, byte[] bytes) {
        boolean preliminary() {
            return code >= 100 && code < 200;
        }
    }

    private final ByteBuf pending = Unpooled.buffer();

    /** Appends {@code bytes} (not released here). */
    void add(ByteBuf bytes) {
        if (pending.readableBytes() + bytes.readableBytes() > MAX_BYTES) {
            throw new IllegalStateException("the FTP server sent a reply longer than " + MAX_BYTES + " bytes");
        }
        pending.writeBytes(bytes);
    }

    /** The next complete reply, or null until one has arrived. */
    Reply poll() {
        int start = pending.readerIndex();
        int end = pending.writerIndex();
        String code = null;
        String firstLine = null;
        for (int lineStart = start; lineStart < end; ) {
            int lf = pending.indexOf(lineStart, end, (byte) '\n');
            if (lf < 0) {
                return null;
            }
            String line = pending.toString(lineStart, lf - lineStart, StandardCharsets.ISO_8859_1).stripTrailing();
            if (code == null) {
                if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
                    throw new IllegalStateException("the FTP server sent a line that is not a reply: " + printable(line));
                }
                code = line.substring(0, 3);
                firstLine = line;
                if (line.length() == 3 || line.charAt(3) != '-') {
                    return take(code, firstLine, lf + 1);
                }
            } else if (line.startsWith(code) && (line.length() == 3 || line.charAt(3) == ' ')) {
                return take(code, firstLine, lf + 1);
            }
            lineStart = lf + 1;
        }
        return null;
    }

    /** Bytes received after the last complete reply (the caller owns the returned buffer). */
    ByteBuf rest() {
        return pending.readBytes(pending.readableBytes());
    }

    void release() {
        pending.release();
    }

    private Reply take(String code, String firstLine, int end) {
        byte[] bytes = new byte[end - pending.readerIndex()];
        pending.readBytes(bytes);
        pending.discardReadBytes();
        return new Reply(Integer.parseInt(code), printable(firstLine), bytes);
    }

    private static String printable(String line) {
        String clean = line.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
