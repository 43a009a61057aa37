package dev.ferry.agent.upstream;

import com.google.protobuf.ByteString;
import dev.ferry.link.pipe.SocketPipe;
import dev.ferry.proto.v1.AgentLinkGrpc;
import dev.ferry.link.LinkLimits;
import dev.ferry.link.pipe.PipeFrame;
import dev.ferry.link.pipe.PipeFrameMarshaller;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.netty.buffer.ByteBufAllocator;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.Channel;
import java.util.HexFormat;

/** Opens a Pipe call for a connected upstream socket, attaches it to the relay's stream and joins the two. */
final class PipeAttacher {
    private PipeAttacher() {
    }

    private static final MethodDescriptor<PipeFrame, PipeFrame> PIPE = PipeFrameMarshaller.pipeMethod(
            new PipeFrameMarshaller(ByteBufAllocator.DEFAULT, LinkLimits.MAX_MESSAGE_BYTES));

    static void attach(Channel socket, ByteString streamId, AgentLinkGrpc.AgentLinkStub stub, String label) {
        PipeResponses responses = new PipeResponses(socket, label);
        StreamObserver<PipeFrame> requests = ClientCalls.asyncBidiStreamingCall(stub.getChannel().newCall(PIPE,
                stub.getCallOptions().withOnReadyThreshold(SocketPipe.MAX_READ)), responses);
        requests.onNext(new PipeFrame.Attach(streamId));
        responses.pipe.start();
    }

    static String label(String kind, ByteString streamId) {
        return kind + " " + HexFormat.of().formatHex(streamId.substring(0, Math.min(4, streamId.size())).toByteArray());
    }

    private static final class PipeResponses implements ClientResponseObserver<PipeFrame, PipeFrame> {
        private final Channel socket;
        private final String label;
        private SocketPipe pipe;

        PipeResponses(Channel socket, String label) {
            this.socket = socket;
            this.label = label;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<PipeFrame> requests) {
            requests.disableAutoRequestWithInitial(0);
            pipe = new SocketPipe(socket, requests, label);
            requests.setOnReadyHandler(pipe::onOutboundReady);
        }

        @Override
        public void onNext(PipeFrame frame) {
            pipe.onNext(frame);
        }

        @Override
        public void onError(Throwable t) {
            pipe.onError(t);
        }

        @Override
        public void onCompleted() {
            pipe.onCompleted();
        }
    }
}
