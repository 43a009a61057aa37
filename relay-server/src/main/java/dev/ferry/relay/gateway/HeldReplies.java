package dev.ferry.relay.gateway;

import io.netty.channel.ChannelPromise;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server sent from the final reply of a transfer on, held while the session finishes the
 * transfer's data connection (see {@link DataEndpoints#finalReplyDue}): the pieces as the
 * {@link LineSplitter} cut them, and the promises of the writes that brought them, which succeed only
 * once the pieces have gone out (so a FIN the pipe sends after the reply waits for it too).
 */
final class HeldReplies {
    /** One piece of a reply line, as {@link LineSplitter.Sink} received it. */
    record Piece(byte[] bytes, boolean first, boolean complete) {
    }

    private final int max;
    private final List<Piece> pieces = new ArrayList<>();
    private final List<ChannelPromise> promises = new ArrayList<>();
    private int bytes;
    private boolean holding;
    /** Counts the holds, so that a late release of one let go already cannot release a later one. */
    private int hold;

    /** @param max the bytes held at most; past that the caller lets them go without waiting */
    HeldReplies(int max) {
        this.max = max;
    }

    /** Starts holding; returns this hold's number for {@link #holding(int)}. */
    int start() {
        holding = true;
        return ++hold;
    }

    boolean holding() {
        return holding;
    }

    /** Whether hold number {@code number} is the one still holding. */
    boolean holding(int number) {
        return holding && hold == number;
    }

    /** Holds a piece; false once more than {@code max} bytes are held (the caller should let them go). */
    boolean add(byte[] piece, boolean first, boolean complete) {
        pieces.add(new Piece(piece, first, complete));
        bytes += piece.length;
        return bytes <= max;
    }

    /** The write that brought held pieces (or came while holding) succeeds once they are out. */
    void defer(ChannelPromise promise) {
        promises.add(promise);
    }

    /** Stops holding: the pieces, in order, to go out now. */
    List<Piece> release() {
        holding = false;
        bytes = 0;
        List<Piece> out = List.copyOf(pieces);
        pieces.clear();
        return out;
    }

    /** The promises deferred so far, to complete once what was released has been written. */
    List<ChannelPromise> takePromises() {
        if (promises.isEmpty()) {
            return List.of(); // every server write asks
        }
        List<ChannelPromise> out = List.copyOf(promises);
        promises.clear();
        return out;
    }

    /** The connection ended: what was held goes nowhere; the deferred writes fail. */
    void discard(Throwable cause) {
        release();
        takePromises().forEach(p -> p.tryFailure(cause));
    }
}
