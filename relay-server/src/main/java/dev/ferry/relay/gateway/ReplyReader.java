package dev.ferry.relay.gateway;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the gateway: reads the pieces a {@link LineSplitter} cuts from the server's
 * output, matches each whole reply to the command it answers, rewrites the final line of a 227
 * reply to PASV or 229 reply to EPSV, and inserts local replies as they fall due. Everything else
 * is copied to the output unchanged and at once.
 *
 * <p>The non-final lines of a multi-line 227/229 reply are held (up to {@code maxHeld} bytes) so
 * that a 425 can replace the whole reply; past that they stream on and a late 425 follows them (a
 * lenient client reads it as the reply's end). An over-long final line cannot be rewritten: it is
 * dropped and the reply becomes the 425.
 */
final class ReplyReader {
    /** Told of each final (2xx-5xx) reply once it and the local replies due after it are in the output. */
    interface Listener {
        void replied(CommandKind kind, int code);

        /** A 1xx reply to {@code command} (redacted, may be null) went out. */
        default void preliminary(FtpCommand command, int code) {
        }

        /** The final reply to {@code command} (redacted, null for the greeting) went out; {@code text} is its last line. */
        default void answered(FtpCommand command, int code, String text) {
        }

        /** A 227/229 was rewritten to a leased port. */
        default void rewritten(CommandKind kind) {
        }
    }

    private static final Logger log = LoggerFactory.getLogger(ReplyReader.class);

    private final ExpectationQueue expected;
    private final PassiveReplyRewriter rewriter;
    private final Listener listener;
    private final int maxHeld;
    private final FtpReplyAssembler assembler = new FtpReplyAssembler();
    /** The command the reply in progress answers; null between replies. */
    private CommandKind answering;
    private final List<byte[]> held = new ArrayList<>();
    private int heldBytes;
    private boolean streaming;
    private final TlsFeatures features;
    /** A 1xx went out and the command's final reply has not: a transfer is under way. */
    private boolean preliminary;
    /** Replaces the outcome of the transfer under way (its data connection was refused). */
    private String outcome;

    /** @param features adds the relay's TLS features to the reply to FEAT, or null to leave it alone */
    ReplyReader(ExpectationQueue expected, PassiveReplyRewriter rewriter, Listener listener, int maxHeld,
            TlsFeatures features) {
        this.features = features;
        this.expected = expected;
        this.rewriter = rewriter;
        this.listener = listener;
        this.maxHeld = maxHeld;
    }

    void piece(byte[] bytes, boolean first, boolean complete, ByteBuf out) {
        FtpReplyAssembler.Piece piece = assembler.next(bytes, first, complete);
        if (piece.code() == 0) {
            out.writeBytes(bytes); // outside any reply: not ours to judge
            return;
        }
        if (answering == null) {
            answering = expected.head();
        }
        if (outcome != null && isTransferOutcome(piece.code())) {
            if (piece.endsReply()) {
                out.writeCharSequence(outcome, StandardCharsets.ISO_8859_1);
                String text = outcome;
                outcome = null;
                replied(ReplyCodes.code(text), ReplyCodes.lastLine(text), out);
            }
            return; // the server's own outcome is dropped line by line
        }
        if (answering == CommandKind.PASV && piece.code() == 227 || answering == CommandKind.EPSV && piece.code() == 229) {
            passive(piece, bytes, first && complete, out);
            return;
        }
        if (features != null && answering == CommandKind.FEAT && piece.code() == 211) {
            features.piece(bytes, first, piece, out);
        } else {
            out.writeBytes(bytes);
        }
        if (piece.endsReply()) {
            replied(piece.code(), first && complete ? text(bytes) : null, out);
        }
    }

    private static String text(byte[] line) {
        return new String(line, StandardCharsets.ISO_8859_1).strip();
    }

    private void passive(FtpReplyAssembler.Piece piece, byte[] bytes, boolean wholeLine, ByteBuf out) {
        if (!piece.finalLine()) {
            if (wholeLine && !streaming && heldBytes + bytes.length <= maxHeld) {
                held.add(bytes);
                heldBytes += bytes.length;
            } else {
                streaming = true;
                flushHeld(out);
                out.writeBytes(bytes);
            }
            return;
        }
        if (!piece.endsReply()) {
            return; // an over-long final line, dropped piece by piece: it becomes the 425
        }
        PassiveReplyRewriter.Result result;
        if (wholeLine) {
            result = rewriter.rewrite(answering, new String(bytes, StandardCharsets.ISO_8859_1));
        } else {
            log.warn("gateway: the FTP server's reply to {} has an over-long final line", answering);
            result = new PassiveReplyRewriter.Result(PassiveReplyRewriter.UNREADABLE, true);
        }
        if (result.refused()) {
            held.clear(); // the whole reply becomes the 425
            heldBytes = 0;
        }
        flushHeld(out);
        out.writeCharSequence(result.text(), StandardCharsets.ISO_8859_1);
        if (!result.refused()) {
            listener.rewritten(answering);
        }
        replied(ReplyCodes.code(result.text()), ReplyCodes.lastLine(result.text()), out);
    }

    private void flushHeld(ByteBuf out) {
        held.forEach(out::writeBytes);
        held.clear();
        heldBytes = 0;
    }

    /**
     * The data connection of the transfer under way was refused: its final reply becomes
     * {@code reply} whatever the server says. False (nothing changes) if no command awaits a reply.
     */
    boolean replaceTransferOutcome(String reply) {
        if (!preliminary && expected.size() == 0) {
            return false; // nothing outstanding: the refused connection belonged to no transfer
        }
        outcome = reply;
        return true;
    }

    /** A 1xx went out and nothing of its command's final reply has come yet: the next reply ends the transfer. */
    boolean awaitsTransferOutcome() {
        return preliminary && answering == null;
    }

    /** A 1xx went out and its command's final reply has not. */
    boolean transferUnderWay() {
        return preliminary;
    }

    private static boolean isTransferOutcome(int code) {
        return code == 226 || code == 250 || code == 425 || code == 426 || code == 451;
    }

    private void replied(int code, String text, ByteBuf out) {
        answering = null;
        streaming = false;
        flushHeld(out);
        preliminary = code < 200;
        if (code < 200) {
            listener.preliminary(expected.headCommand(), code);
            return; // preliminary: the command still awaits its final reply
        }
        outcome = null;
        listener.answered(expected.headCommand(), code, text == null ? String.valueOf(code) : text);
        CommandKind kind = expected.replied(reply -> out.writeCharSequence(reply, StandardCharsets.ISO_8859_1));
        listener.replied(kind, code);
    }
}
