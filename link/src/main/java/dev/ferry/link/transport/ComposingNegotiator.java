package dev.ferry.link.transport;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.AdaptiveCumulator;
import io.netty.util.AsciiString;
import java.util.function.Supplier;

/**
 * Wraps gRPC's TLS or plaintext negotiation and makes the link's HTTP/2 decoder collect socket
 * reads without copying them. gRPC leaves Netty's default merging cumulator in place, which copies
 * every read that continues a partial frame into a fresh buffer: with 16 KiB DATA frames and 64 KiB
 * reads that is nearly every received byte, copied once more into cold memory. Netty's
 * {@link AdaptiveCumulator} links reads of at least {@value #COMPOSE_MIN_BYTES} bytes instead and
 * still merges small ones, so a peer dribbling one-byte packets cannot make it track a buffer each.
 *
 * <p>Uses gRPC's {@code Internal*} negotiator API, the only hook that reaches its HTTP/2 handler.
 */
public final class ComposingNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    static final int COMPOSE_MIN_BYTES = 1024;

    private final InternalProtocolNegotiator.ProtocolNegotiator delegate;

    public ComposingNegotiator(InternalProtocolNegotiator.ProtocolNegotiator delegate) {
        this.delegate = delegate;
    }

    /** For a channel builder: a fresh wrapped negotiator from {@code delegates} for each transport. */
    public static InternalProtocolNegotiator.ClientFactory clientFactory(
            Supplier<InternalProtocolNegotiator.ProtocolNegotiator> delegates, int defaultPort) {
        return new InternalProtocolNegotiator.ClientFactory() {
            @Override
            public InternalProtocolNegotiator.ProtocolNegotiator newNegotiator() {
                return new ComposingNegotiator(delegates.get());
            }

            @Override
            public int getDefaultPort() {
                return defaultPort;
            }
        };
    }

    @Override
    public AsciiString scheme() {
        return delegate.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        grpcHandler.setCumulator(new AdaptiveCumulator(COMPOSE_MIN_BYTES));
        return delegate.newHandler(grpcHandler);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
