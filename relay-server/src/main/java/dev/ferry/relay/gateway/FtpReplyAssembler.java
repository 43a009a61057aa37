package dev.ferry.relay.gateway;

/**
 * Groups server output into replies by the RFC 959 (4.2) rule, as Netty's SmtpResponseDecoder does
 * for SMTP: {@code NNN text} is a whole reply; {@code NNN-text} opens a multi-line reply that ends
 * at the first line starting {@code NNN } with the same code; lines in between are its text,
 * whatever they look like. Fed the pieces a {@link LineSplitter} cuts, so an over-long line arrives
 * as several pieces and is classified by its first.
 */
public final class FtpReplyAssembler {
    /**
     * Where a piece stands.
     *
     * @param code the code of the reply it belongs to, or 0 for text outside any reply
     * @param finalLine whether it is (part of) the reply's final line
     * @param endsReply whether it completes the reply (the final line's last piece)
     */
    public record Piece(int code, boolean finalLine, boolean endsReply) {
        static final Piece STRAY = new Piece(0, false, false);
    }

    private int replyCode = -1;
    /** The classification of the over-long line whose later pieces are still to come. */
    private Piece longLine;

    /**
     * @param bytes a line or a piece of an over-long one, with its line end if it has one
     * @param first whether it starts a line
     * @param complete whether it ends a line
     */
    public Piece next(byte[] bytes, boolean first, boolean complete) {
        if (!first && longLine != null) {
            Piece line = longLine;
            if (complete) {
                longLine = null;
            }
            return new Piece(line.code(), line.finalLine(), complete && line.finalLine());
        }
        int code = code(bytes);
        Piece piece;
        if (replyCode < 0 && code < 0) {
            piece = Piece.STRAY;
        } else {
            if (replyCode < 0) {
                replyCode = code;
            }
            boolean last = code == replyCode && (bytes.length == 3 || bytes[3] != '-');
            piece = new Piece(replyCode, last, last && complete);
            if (last) {
                replyCode = -1;
            }
        }
        longLine = complete ? null : piece;
        return piece;
    }

    /** The code a line starts with ({@code NNN} then space, dash or line end), or -1. */
    static int code(byte[] line) {
        if (line.length < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2])) {
            return -1;
        }
        if (line.length > 3 && line[3] != ' ' && line[3] != '-' && line[3] != '\r' && line[3] != '\n') {
            return -1;
        }
        return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }
}
