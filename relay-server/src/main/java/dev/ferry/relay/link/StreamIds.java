package dev.ferry.relay.link;

import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Stream ids: 128 random bits, so a Pipe call can only attach to a stream the relay asked for. */
public final class StreamIds {
    private final SecureRandom random;

    public StreamIds(SecureRandom random) {
        this.random = random;
    }

    public ByteString next() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return ByteString.copyFrom(id);
    }

    /** A short form for log lines. */
    public static String shortForm(ByteString id) {
        return HexFormat.of().formatHex(id.substring(0, Math.min(4, id.size())).toByteArray());
    }
}
