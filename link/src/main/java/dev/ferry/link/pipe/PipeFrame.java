package dev.ferry.link.pipe;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;

/**
 * One message of a Pipe call, as both ends handle it: the wire form is exactly
 * {@code ferry.v1.Frame} (see link.proto), but Data carries a Netty buffer instead of a
 * protobuf ByteString so bytes go from the call to the socket without extra copies.
 */
public sealed interface PipeFrame {
    /** Bytes of the TCP stream; the receiver owns (and must write or release) the buffer. */
    record Data(ByteBuf bytes) implements PipeFrame {
    }

    /** The sender's TCP connection was half-closed (FIN). */
    record Fin() implements PipeFrame {
    }

    /** The sender's connection was reset or failed; the receiver resets its own. */
    record Abort(String reason) implements PipeFrame {
    }

    /** First agent frame: names the stream the relay asked for. */
    record Attach(ByteString streamId) implements PipeFrame {
    }

    Fin FIN = new Fin();
}
