package dev.ferry.link.pipe;

import com.google.protobuf.CodedOutputStream;
import dev.ferry.proto.v1.Abort;
import dev.ferry.proto.v1.Attach;
import dev.ferry.proto.v1.Fin;
import dev.ferry.proto.v1.Frame;
import io.grpc.Detachable;
import io.grpc.Drainable;
import io.grpc.HasByteBuffer;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;

/**
 * Reads and writes {@code ferry.v1.Frame} for Pipe calls. Data frames are handled by hand: on the
 * way out the bytes are drained straight from the socket's buffer into gRPC's; on the way in they
 * are copied once, from gRPC's buffers into a pooled direct buffer that goes to the socket as is.
 * Every other frame goes through the generated protobuf code.
 */
public final class PipeFrameMarshaller implements MethodDescriptor.Marshaller<PipeFrame> {
    /** Field 2 (data), wire type 2 (length-delimited). */
    private static final int DATA_TAG = (Frame.DATA_FIELD_NUMBER << 3) | 2;

    private final ByteBufAllocator allocator;
    private final int maxMessageBytes;

    public PipeFrameMarshaller(ByteBufAllocator allocator, int maxMessageBytes) {
        this.allocator = allocator;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The Pipe method with this marshaller for both directions. */
    public static MethodDescriptor<PipeFrame, PipeFrame> pipeMethod(PipeFrameMarshaller marshaller) {
        return dev.ferry.proto.v1.AgentLinkGrpc.getPipeMethod().toBuilder(marshaller, marshaller).build();
    }

    @Override
    public InputStream stream(PipeFrame frame) {
        if (frame instanceof PipeFrame.Data data) {
            return new DataStream(data.bytes());
        }
        return toProto(frame).toByteString().newInput();
    }

    static Frame toProto(PipeFrame frame) {
        if (frame instanceof PipeFrame.Fin) {
            return Frame.newBuilder().setFin(Fin.getDefaultInstance()).build();
        } else if (frame instanceof PipeFrame.Abort abort) {
            return Frame.newBuilder().setAbort(Abort.newBuilder().setReason(abort.reason())).build();
        } else if (frame instanceof PipeFrame.Urgent urgent) {
            return Frame.newBuilder().setUrgent(urgent.bytes()).build();
        } else if (frame instanceof PipeFrame.Attach attach) {
            return Frame.newBuilder().setAttach(Attach.newBuilder().setStreamId(attach.streamId())).build();
        }
        throw new IllegalArgumentException("not a control frame: " + frame);
    }

    @Override
    public PipeFrame parse(InputStream stream) {
        try {
            int tag = stream.read();
            if (tag == DATA_TAG) {
                int length = readVarint32(stream);
                if (length < 0 || length > maxMessageBytes) {
                    throw Status.RESOURCE_EXHAUSTED.withDescription("data frame of " + length + " bytes").asRuntimeException();
                }
                PipeFrame.Data borrowed = borrow(stream, length);
                if (borrowed != null) {
                    return borrowed;
                }
                ByteBuf buf = allocator.directBuffer(length, length);
                try {
                    copy(stream, buf, length);
                    return new PipeFrame.Data(buf);
                } catch (IOException | RuntimeException e) {
                    buf.release();
                    throw e;
                }
            }
            InputStream whole = tag < 0 ? InputStream.nullInputStream()
                    : new SequenceInputStream(new ByteArrayInputStream(new byte[] {(byte) tag}), stream);
            return fromProto(Frame.parseFrom(whole));
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("unreadable Pipe frame: " + e.getMessage()).withCause(e)
                    .asRuntimeException();
        }
    }

    static PipeFrame fromProto(Frame frame) {
        return switch (frame.getKindCase()) {
            case FIN -> PipeFrame.FIN;
            case ABORT -> new PipeFrame.Abort(frame.getAbort().getReason());
            case ATTACH -> new PipeFrame.Attach(frame.getAttach().getStreamId());
            case URGENT -> new PipeFrame.Urgent(frame.getUrgent());
            case DATA -> new PipeFrame.Data(io.netty.buffer.Unpooled.wrappedBuffer(frame.getData().toByteArray()));
            default -> throw Status.INVALID_ARGUMENT.withDescription("empty Pipe frame").asRuntimeException();
        };
    }

    /**
     * Takes over gRPC's receive buffers for the data instead of copying it: the frame's bytes point
     * into them, and they are given back when the frame is released. Null if the stream cannot
     * hand its buffers over (then the caller copies).
     */
    private static PipeFrame.Data borrow(InputStream stream, int length) throws IOException {
        if (length == 0 || !(stream instanceof Detachable detachable) || !(stream instanceof HasByteBuffer h)
                || !h.byteBufferSupported() || !stream.markSupported()) {
            return null;
        }
        InputStream owned = detachable.detach();
        boolean done = false;
        try {
            owned.mark(length);
            java.util.List<ByteBuffer> parts = new java.util.ArrayList<>(4);
            int left = length;
            while (left > 0) {
                ByteBuffer view = ((HasByteBuffer) owned).getByteBuffer();
                if (view == null || !view.isDirect()) {
                    owned.reset();
                    return copyFrom(owned, length);
                }
                int n = Math.min(left, view.remaining());
                ByteBuffer part = view.duplicate();
                part.limit(part.position() + n);
                parts.add(part.slice());
                if (owned.skip(n) != n) {
                    throw new IOException("short skip");
                }
                left -= n;
            }
            done = true;
            ByteBuf bytes = parts.size() == 1 ? io.netty.buffer.Unpooled.wrappedBuffer(parts.get(0))
                    : io.netty.buffer.Unpooled.wrappedBuffer(parts.toArray(ByteBuffer[]::new));
            return new PipeFrame.Data(bytes, owned);
        } finally {
            if (!done) {
                owned.close();
            }
        }
    }

    private static PipeFrame.Data copyFrom(InputStream owned, int length) throws IOException {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(length, length);
        try {
            copy(owned, buf, length);
            return new PipeFrame.Data(buf);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    private static void copy(InputStream stream, ByteBuf buf, int length) throws IOException {
        int left = length;
        if (stream instanceof HasByteBuffer direct && direct.byteBufferSupported()) {
            while (left > 0) {
                ByteBuffer view = direct.getByteBuffer();
                if (view == null) {
                    break;
                }
                int n = Math.min(left, view.remaining());
                view.limit(view.position() + n);
                buf.writeBytes(view);
                long skipped = stream.skip(n);
                if (skipped != n) {
                    throw new IOException("short skip");
                }
                left -= n;
            }
        }
        while (left > 0) {
            int n = buf.writeBytes(stream, left);
            if (n < 0) {
                throw new IOException("data frame ended " + left + " bytes early");
            }
            left -= n;
        }
    }

    private static int readVarint32(InputStream in) throws IOException {
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("truncated length");
            }
            result |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IOException("malformed length");
    }

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    /** A per-thread array of at least {@code size} bytes (event-loop threads each keep one). */
    private static byte[] scratch(int size) {
        byte[] a = SCRATCH.get();
        if (a.length < size) {
            a = new byte[Math.max(size, a.length * 2)];
            SCRATCH.set(a);
        }
        return a;
    }

    /** A Data frame's wire form, drained from the buffer in one write. */
    private static final class DataStream extends InputStream implements Drainable, KnownLength {
        private final ByteBuf bytes;
        private final byte[] header;
        private int position;

        DataStream(ByteBuf bytes) {
            this.bytes = bytes;
            int length = bytes.readableBytes();
            this.header = new byte[1 + CodedOutputStream.computeUInt32SizeNoTag(length)];
            header[0] = (byte) DATA_TAG;
            int i = 1;
            int v = length;
            while ((v & ~0x7f) != 0) {
                header[i++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            header[i] = (byte) v;
        }

        private int total() {
            return header.length + bytes.readableBytes();
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = total() - position;
            if (position < header.length) {
                target.write(header, position, header.length - position);
                position = header.length;
            }
            int offset = position - header.length;
            int left = bytes.readableBytes() - offset;
            if (left > 0) {
                if (bytes.hasArray()) {
                    target.write(bytes.array(), bytes.arrayOffset() + bytes.readerIndex() + offset, left);
                } else {
                    // One bulk copy and one write: Netty's getBytes(OutputStream) would go 8 KiB at a time.
                    byte[] scratch = scratch(left);
                    bytes.getBytes(bytes.readerIndex() + offset, scratch, 0, left);
                    target.write(scratch, 0, left);
                }
            }
            position = total();
            return n;
        }

        @Override
        public int available() {
            return total() - position;
        }

        @Override
        public int read() {
            if (position >= total()) {
                return -1;
            }
            int b = position < header.length ? header[position] & 0xff
                    : bytes.getByte(bytes.readerIndex() + position - header.length) & 0xff;
            position++;
            return b;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            int available = total() - position;
            if (available <= 0) {
                return len == 0 ? 0 : -1;
            }
            int n = Math.min(len, available);
            int done = 0;
            while (done < n && position < header.length) {
                dst[off + done++] = header[position++];
            }
            if (done < n) {
                int m = n - done;
                bytes.getBytes(bytes.readerIndex() + position - header.length, dst, off + done, m);
                position += m;
                done += m;
            }
            return done;
        }
    }
}
