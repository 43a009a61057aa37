package dev.ferry.link.flow;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AsciiString;
import java.util.function.Supplier;

/**
 * Wraps gRPC's TLS or plaintext negotiation so that each agent-link connection's HTTP/2 stream
 * windows are sized by {@link StreamWindows} against one {@link WindowBudget}. Uses gRPC's
 * {@code Internal*} negotiator API, the only hook that reaches its HTTP/2 handler; gRPC's own
 * {@code flowControlWindow} must be set to the budget's minimum window (the initial window of every
 * stream).
 */
public final class BudgetedNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private final InternalProtocolNegotiator.ProtocolNegotiator delegate;
    private final WindowBudget budget;

    public BudgetedNegotiator(InternalProtocolNegotiator.ProtocolNegotiator delegate, WindowBudget budget) {
        this.delegate = delegate;
        this.budget = budget;
    }

    /** For a channel builder: a fresh wrapped negotiator from {@code delegates} for each transport. */
    public static InternalProtocolNegotiator.ClientFactory clientFactory(
            Supplier<InternalProtocolNegotiator.ProtocolNegotiator> delegates, int defaultPort, WindowBudget budget) {
        return new InternalProtocolNegotiator.ClientFactory() {
            @Override
            public InternalProtocolNegotiator.ProtocolNegotiator newNegotiator() {
                return new BudgetedNegotiator(delegates.get(), budget);
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
        ChannelHandler negotiation = delegate.newHandler(grpcHandler);
        return new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                StreamWindows.attach(ctx.channel(), grpcHandler, budget);
                ctx.pipeline().replace(this, null, negotiation);
            }
        };
    }

    @Override
    public void close() {
        delegate.close();
    }
}
