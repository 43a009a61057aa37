package dev.ferry.agent.link;

import dev.ferry.agent.upstream.ActiveListeners;
import dev.ferry.agent.upstream.UpstreamDialer;
import dev.ferry.link.tls.PinnedTrustManager;
import dev.ferry.proto.v1.AgentLinkGrpc;
import dev.ferry.proto.v1.AgentMessage;
import dev.ferry.proto.v1.Hello;
import dev.ferry.proto.v1.Pong;
import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.proto.v1.StreamFailed;
import dev.ferry.proto.v1.Welcome;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the agent link: sends hello on a Control call, then serves the relay's
 * requests until the call ends. Takes a {@link Channel}; only the agent's main builds the real one.
 */
public final class AgentLinkClient {
    private static final Logger log = LoggerFactory.getLogger(AgentLinkClient.class);

    private final AgentLinkGrpc.AgentLinkStub stub;
    private final String token;
    private final UpstreamDialer dialer;
    private final ActiveListeners active;
    private final PinnedTrustManager trustManager;
    private final Runnable onLive;

    /**
     * @param trustManager the pin checker the channel uses, or null for a plaintext link
     * @param onLive runs each time the relay welcomes this agent
     */
    public AgentLinkClient(Channel channel, String token, UpstreamDialer dialer, ActiveListeners active,
            PinnedTrustManager trustManager, Runnable onLive) {
        this.active = active;
        this.stub = AgentLinkGrpc.newStub(channel);
        this.token = token;
        this.dialer = dialer;
        this.trustManager = trustManager;
        this.onLive = onLive;
    }

    /** Connects once and completes when that connection ends. */
    public CompletableFuture<LinkOutcome> connect() {
        CompletableFuture<LinkOutcome> ended = new CompletableFuture<>();
        ControlResponses responses = new ControlResponses(ended);
        StreamObserver<AgentMessage> requests = stub.control(responses);
        responses.requests = requests;
        requests.onNext(AgentMessage.newBuilder()
                .setHello(Hello.newBuilder().setToken(token).setAgentVersion("ferry-agent 0.1")).build());
        return ended;
    }

    private final class ControlResponses implements StreamObserver<RelayMessage> {
        private final CompletableFuture<LinkOutcome> ended;
        private volatile StreamObserver<AgentMessage> requests;

        ControlResponses(CompletableFuture<LinkOutcome> ended) {
            this.ended = ended;
        }

        private void send(AgentMessage message) {
            synchronized (this) {
                try {
                    requests.onNext(message);
                } catch (RuntimeException e) {
                    log.debug("control call closed: {}", e.toString());
                }
            }
        }

        @Override
        public void onNext(RelayMessage message) {
            switch (message.getKindCase()) {
                case WELCOME -> {
                    Welcome w = message.getWelcome();
                    log.info("tunnel {} is live at ftp://{}:{}", w.getTunnelName(), w.getPublicAddress(), w.getFtpPort());
                    onLive.run();
                }
                case OPEN_STREAM -> dialer.open(message.getOpenStream(), stub, reason -> send(AgentMessage.newBuilder()
                        .setStreamFailed(StreamFailed.newBuilder()
                                .setStreamId(message.getOpenStream().getStreamId()).setReason(reason)).build()));
                case START_LISTEN -> active.start(message.getStartListen(), stub, this::send);
                case STOP_LISTEN -> active.stop(message.getStopListen().getStreamId());
                case PING -> send(AgentMessage.newBuilder()
                        .setPong(Pong.newBuilder().setNonce(message.getPing().getNonce())).build());
                case DRAIN -> log.info("relay asks to drain: {}", message.getDrain().getReason());
                default -> log.debug("ignoring relay message {}", message.getKindCase());
            }
        }

        @Override
        public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            String mismatch = trustManager == null ? null : trustManager.lastMismatch();
            if (mismatch != null) {
                ended.complete(new LinkOutcome(LinkOutcome.Kind.WRONG_CERTIFICATE,
                        "the relay's certificate is " + mismatch + ", which does not match --pin; refusing to connect"));
            } else if (status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED) {
                ended.complete(new LinkOutcome(LinkOutcome.Kind.REFUSED,
                        "the relay refused this agent: " + status.getDescription()));
            } else if (status.getCode() == Status.Code.CANCELLED) {
                ended.complete(new LinkOutcome(LinkOutcome.Kind.STOPPED, "cancelled"));
            } else {
                String why = status.getDescription() != null ? status.getDescription()
                        : status.getCause() != null ? status.getCause().toString() : status.getCode().toString();
                ended.complete(new LinkOutcome(LinkOutcome.Kind.LOST, status.getCode() + ": " + why));
            }
        }

        @Override
        public void onCompleted() {
            ended.complete(new LinkOutcome(LinkOutcome.Kind.LOST, "the relay closed the link"));
            synchronized (this) {
                try {
                    requests.onCompleted();
                } catch (RuntimeException e) {
                    // already closed
                }
            }
        }
    }
}
