package dev.ferry.relay.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Cuts a byte stream into lines ending in LF (so CR LF and bare LF both end a line), holding at
 * most {@code max} bytes of an unfinished line. A longer line comes out in pieces of {@code max}
 * bytes, each marked as not complete, and the last piece (ending in LF) marked complete, so the
 * caller can stream it on or drop it without ever holding it whole.
 */
public final class LineSplitter {
    /** Receives lines and pieces of over-long lines, in order. */
    public interface Sink {
        /**
         * @param bytes the line or piece, including its line end if it has one
         * @param first whether this starts a line
         * @param complete whether this ends a line (with LF)
         */
        void line(byte[] bytes, boolean first, boolean complete);
    }

    private final int max;
    private byte[] partial = new byte[256];
    private int length;
    private boolean midLine;

    public LineSplitter(int max) {
        this.max = max;
    }

    public void feed(ByteBuf in, Sink sink) {
        while (in.isReadable()) {
            int lf = in.forEachByte(ByteProcessor.FIND_LF);
            int end = lf < 0 ? in.writerIndex() : lf + 1;
            int n = end - in.readerIndex();
            while (n > 0) {
                int room = max - length;
                if (room <= 0) {
                    emit(sink, false);
                    room = max;
                }
                int take = Math.min(n, room);
                append(in, take);
                n -= take;
            }
            if (lf >= 0) {
                emit(sink, true);
            } else if (length >= max) {
                emit(sink, false);
            }
        }
    }

    private void append(ByteBuf in, int n) {
        if (length + n > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(length + n, Math.min(max + 1, partial.length * 2)));
        }
        in.readBytes(partial, length, n);
        length += n;
    }

    private void emit(Sink sink, boolean complete) {
        byte[] bytes = Arrays.copyOf(partial, length);
        boolean first = !midLine;
        length = 0;
        midLine = !complete;
        sink.line(bytes, first, complete);
    }

    /** Hands out whatever unfinished line is held as a piece that does not end its line. */
    void flushPartial(Sink sink) {
        if (length > 0) {
            emit(sink, false);
        }
    }

    /** Whatever unfinished line is held, handed out raw and forgotten (for input that is put aside or ending). */
    public byte[] takePartial() {
        byte[] bytes = Arrays.copyOf(partial, length);
        length = 0;
        return bytes;
    }

    public boolean holdsPartial() {
        return length > 0;
    }

    boolean isMidLine() {
        return midLine;
    }
}
