package dev.ferry.relay.gateway;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Adds what the relay itself answers ({@code AUTH TLS}, {@code PBSZ}, {@code PROT}) to the
 * server's {@code 211} reply to {@code FEAT} (RFC 2389), in front of its final line, unless the
 * server lists them already. A single-line {@code 211} ("no features") becomes a multi-line reply
 * ending in the server's line. Fed one reply at a time, piece by piece, as {@link ReplyReader} reads it.
 */
final class TlsFeatures {
    private int linesBefore;
    private boolean auth;
    private boolean pbsz;
    private boolean prot;

    /** Copies one piece of a 211 reply to {@code out}, the missing features in front of its final line. */
    void piece(byte[] bytes, boolean first, FtpReplyAssembler.Piece piece, ByteBuf out) {
        if (first && !piece.finalLine()) {
            linesBefore++;
            String feature = new String(bytes, StandardCharsets.ISO_8859_1).strip().toUpperCase(Locale.ROOT);
            auth |= feature.startsWith("AUTH ") && feature.contains("TLS");
            pbsz |= feature.equals("PBSZ");
            prot |= feature.equals("PROT");
        } else if (first) {
            if (linesBefore == 0) {
                out.writeCharSequence("211-Features:\r\n", StandardCharsets.ISO_8859_1);
            }
            if (!auth) {
                out.writeCharSequence(" AUTH TLS\r\n", StandardCharsets.ISO_8859_1);
            }
            if (!pbsz) {
                out.writeCharSequence(" PBSZ\r\n", StandardCharsets.ISO_8859_1);
            }
            if (!prot) {
                out.writeCharSequence(" PROT\r\n", StandardCharsets.ISO_8859_1);
            }
        }
        out.writeBytes(bytes);
        if (piece.endsReply()) {
            linesBefore = 0;
            auth = pbsz = prot = false;
        }
    }
}
