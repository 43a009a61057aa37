package dev.ferry.link.pipe;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;

/**
 * One message of a Pipe call, as both ends handle it: the wire form is exactly
 * {@code ferry.v1.Frame} (see link.proto), but Data carries a Netty buffer instead of a
 * protobuf ByteString so bytes go from the call to the socket without extra copies.
 */
public sealed interface PipeFrame {
    /**
     * Bytes of the TCP stream; the receiver owns them and must {@link #release()} them (writing
     * {@code bytes} to a channel releases the buffer; {@code owner}, if any, holds gRPC's receive
     * buffers that {@code bytes} points into, and is closed by {@link #release()} or once written).
     */
    record Data(ByteBuf bytes, java.io.Closeable owner) implements PipeFrame {
        public Data(ByteBuf bytes) {
            this(bytes, null);
        }

        /** Gives back the memory without writing it anywhere. */
        public void release() {
            bytes.release();
            closeOwner();
        }

        /** Gives back gRPC's buffers once {@code bytes} (already released by a write) is done with. */
        public void closeOwner() {
            if (owner != null) {
                try {
                    owner.close();
                } catch (java.io.IOException e) {
                    // nothing to do: the buffers are released either way
                }
            }
        }
    }

    /** The sender's TCP connection was half-closed (FIN). */
    record Fin() implements PipeFrame {
    }

    /** The sender's connection was reset or failed; the receiver resets its own. */
    record Abort(String reason) implements PipeFrame {
    }

    /**
     * Bytes of the stream whose first byte is TCP urgent data (MSG_OOB): sent after every byte before
     * them, the first one urgent and the rest right after it as ordinary data (the Telnet DM of an FTP
     * Synch and the rest of its line). A socket that cannot send urgent data writes them all as
     * ordinary data.
     */
    record Urgent(ByteString bytes) implements PipeFrame {
    }

    /** First agent frame: names the stream the relay asked for. */
    record Attach(ByteString streamId) implements PipeFrame {
    }

    Fin FIN = new Fin();
}
