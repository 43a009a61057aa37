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
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the agent link at a time: sends hello on a Control call, then serves the
 * relay's requests until the call ends. Each {@link #connect(Channel)} takes the channel to use;
 * only the agent's run loop builds real ones.
 */
public final class AgentLinkClient {
    private static final Logger log = LoggerFactory.getLogger(AgentLinkClient.class);

    private final String token;
    private final UpstreamDialer dialer;
    private final ActiveListeners active;
    private final PinnedTrustManager trustManager;
    private final java.util.function.Consumer<Welcome> onLive;
    private final ScheduledExecutorService timer;
    private final String relay;
    private final Duration welcomeTimeout;

    /**
     * @param trustManager the pin checker the channel uses, or null for a plaintext link
     * @param onLive runs each time the relay welcomes this agent, with the welcome (tunnel, public address, port)
     * @param timer runs the welcome deadline
     * @param relay the relay's address as the operator gave it, for log lines
     * @param welcomeTimeout how long an attempt may take from dialling to the relay's welcome
     */
    public AgentLinkClient(String token, UpstreamDialer dialer, ActiveListeners active,
            PinnedTrustManager trustManager, java.util.function.Consumer<Welcome> onLive, ScheduledExecutorService timer, String relay,
            Duration welcomeTimeout) {
        this.active = active;
        this.token = token;
        this.dialer = dialer;
        this.trustManager = trustManager;
        this.onLive = onLive;
        this.timer = timer;
        this.relay = relay;
        this.welcomeTimeout = welcomeTimeout;
    }

    /**
     * Connects once over {@code channel} and completes when that connection ends. An attempt that
     * gets no welcome within the welcome timeout (a relay that accepts TCP and then says nothing)
     * is cancelled and ends LOST.
     */
    public CompletableFuture<LinkOutcome> connect(Channel channel) {
        CompletableFuture<LinkOutcome> ended = new CompletableFuture<>();
        AgentLinkGrpc.AgentLinkStub stub = AgentLinkGrpc.newStub(channel);
        ControlResponses responses = new ControlResponses(ended, stub);
        ClientCallStreamObserver<AgentMessage> requests = (ClientCallStreamObserver<AgentMessage>) stub.control(responses);
        responses.requests = requests;
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (!responses.welcomed && ended.complete(new LinkOutcome(LinkOutcome.Kind.LOST, "cannot link to relay "
                    + relay + ": no welcome within " + welcomeTimeout.toSeconds() + " s (packets dropped on the way?)"))) {
                requests.cancel("no welcome in time", null);
            }
        }, welcomeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ended.whenComplete((outcome, error) -> {
            deadline.cancel(false);
            if (outcome != null && outcome.kind() == LinkOutcome.Kind.STOPPED) {
                responses.halfClose(); // the relay logs a goodbye, not a lost link
            }
        });
        requests.onNext(AgentMessage.newBuilder()
                .setHello(Hello.newBuilder().setToken(token).setAgentVersion("ferry-agent 0.1")).build());
        return ended;
    }

    private final class ControlResponses implements StreamObserver<RelayMessage> {
        private final CompletableFuture<LinkOutcome> ended;
        private final AgentLinkGrpc.AgentLinkStub stub;
        private volatile StreamObserver<AgentMessage> requests;
        private volatile boolean welcomed;
        private boolean halfClosed;

        ControlResponses(CompletableFuture<LinkOutcome> ended, AgentLinkGrpc.AgentLinkStub stub) {
            this.ended = ended;
            this.stub = stub;
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
                    welcomed = true;
                    log.info("tunnel {} is live at ftp://{}:{}", w.getTunnelName(), w.getPublicAddress(), w.getFtpPort());
                    onLive.accept(w);
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
                ended.complete(new LinkOutcome(LinkOutcome.Kind.LOST, LinkFailure.describe(status, relay, welcomed)));
            }
        }

        @Override
        public void onCompleted() {
            ended.complete(new LinkOutcome(LinkOutcome.Kind.LOST, "the relay " + relay + " closed the link"));
            halfClose();
        }

        synchronized void halfClose() {
            if (halfClosed) {
                return;
            }
            halfClosed = true;
            try {
                requests.onCompleted();
            } catch (RuntimeException e) {
                // already closed
            }
        }
    }
}
