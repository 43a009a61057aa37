package dev.ferry.relay.link;

import dev.ferry.link.pipe.SocketPipe;
import dev.ferry.proto.v1.AgentLinkGrpc;
import dev.ferry.proto.v1.AgentMessage;
import dev.ferry.link.LinkLimits;
import dev.ferry.link.pipe.PipeFrame;
import dev.ferry.link.pipe.PipeFrameMarshaller;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.netty.buffer.ByteBufAllocator;
import dev.ferry.proto.v1.RelayMessage;
import dev.ferry.proto.v1.Welcome;
import dev.ferry.relay.tunnel.Tunnel;
import dev.ferry.relay.tunnel.TunnelRegistry;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The relay's end of the agent link: authenticates Control calls and attaches Pipe calls. */
public final class AgentLinkService {
    private static final Logger log = LoggerFactory.getLogger(AgentLinkService.class);
    /** A Pipe counts as ready while less than this is queued: room for one full socket read. */
    private static final int ON_READY_THRESHOLD = dev.ferry.link.pipe.SocketPipe.MAX_READ;

    private final TunnelRegistry tunnels;
    private final ConnectedAgents agents;
    private final PendingStreams pending;
    private final PendingListens listens;
    private final EventLoopGroup loops;
    private final Duration helloTimeout;
    private final String publicAddress;
    private final java.util.function.Supplier<java.util.concurrent.CompletionStage<Void>> reloadTunnels;
    /** The relay nodes sharing this relay's registry, for WatchNodes; null when the registry is this relay's own. */
    private final dev.ferry.relay.registry.NodeDirectory nodes;
    private final java.util.function.Consumer<ConnectedAgent> onDraining;

    public AgentLinkService(TunnelRegistry tunnels, ConnectedAgents agents, PendingStreams pending,
            PendingListens listens, EventLoopGroup loops, Duration helloTimeout, String publicAddress,
            java.util.function.Supplier<java.util.concurrent.CompletionStage<Void>> reloadTunnels) {
        this(tunnels, agents, pending, listens, loops, helloTimeout, publicAddress, reloadTunnels, null, agent -> { });
    }

    /**
     * @param nodes answers agents' WatchNodes, or null to answer nothing (a registry no other node shares)
     * @param onDraining told when an agent says it is shutting down gracefully (its sessions are to be drained)
     */
    public AgentLinkService(TunnelRegistry tunnels, ConnectedAgents agents, PendingStreams pending,
            PendingListens listens, EventLoopGroup loops, Duration helloTimeout, String publicAddress,
            java.util.function.Supplier<java.util.concurrent.CompletionStage<Void>> reloadTunnels,
            dev.ferry.relay.registry.NodeDirectory nodes, java.util.function.Consumer<ConnectedAgent> onDraining) {
        this.nodes = nodes;
        this.onDraining = onDraining;
        this.reloadTunnels = reloadTunnels;
        this.listens = listens;
        this.tunnels = tunnels;
        this.agents = agents;
        this.pending = pending;
        this.loops = loops;
        this.helloTimeout = helloTimeout;
        this.publicAddress = publicAddress;
    }

    /** The AgentLink service: generated code for Control, the zero-copy marshaller for Pipe. */
    public ServerServiceDefinition definition() {
        PipeFrameMarshaller marshaller = new PipeFrameMarshaller(ByteBufAllocator.DEFAULT, LinkLimits.MAX_MESSAGE_BYTES);
        return ServerServiceDefinition.builder(AgentLinkGrpc.SERVICE_NAME)
                .addMethod(AgentLinkGrpc.getControlMethod(), ServerCalls.asyncBidiStreamingCall(this::control))
                .addMethod(PipeFrameMarshaller.pipeMethod(marshaller), ServerCalls.asyncBidiStreamingCall(this::pipe))
                .build();
    }

    StreamObserver<AgentMessage> control(StreamObserver<RelayMessage> responses) {
        return new ControlCall(responses, remoteAddress(), currentLoop());
    }

    /** The event loop running this call's transport (calls run on it: the server uses a direct executor). */
    private EventLoop currentLoop() {
        for (EventExecutor e : loops) {
            if (e.inEventLoop()) {
                return (EventLoop) e;
            }
        }
        return null;
    }

    private static SocketAddress remoteAddress() {
        return RemoteAddressInterceptor.REMOTE.get(Context.current());
    }

    /** One agent's Control call: hello first, then stream failures and pongs. */
    private final class ControlCall implements StreamObserver<AgentMessage> {
        private final StreamObserver<RelayMessage> responses;
        private final SocketAddress remote;
        private final ScheduledFuture<?> helloDeadline;
        private final EventLoop loop;
        private boolean helloSeen;
        private ConnectedAgent agent;
        private final NodeListFeed nodeLists = new NodeListFeed();

        ControlCall(StreamObserver<RelayMessage> responses, SocketAddress remote, EventLoop loop) {
            this.responses = responses;
            this.remote = remote;
            this.loop = loop;
            this.helloDeadline = loops.schedule(() -> refuse(Status.DEADLINE_EXCEEDED
                    .withDescription("no hello within " + helloTimeout.toSeconds() + " s")),
                    helloTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public synchronized void onNext(AgentMessage message) {
            if (agent != null) {
                handle(message);
            } else if (!helloSeen) {
                helloSeen = true;
                hello(message);
            }
            // anything else before the welcome is ignored: the hello is still being checked
        }

        private void hello(AgentMessage message) {
            if (!message.hasHello()) {
                refuse(Status.INVALID_ARGUMENT.withDescription("the first message must be hello"));
                return;
            }
            helloDeadline.cancel(false);
            String token = message.getHello().getToken();
            Optional<Tunnel> tunnel = tunnels.authenticate(token);
            if (tunnel.isPresent()) {
                welcome(tunnel.get());
                return;
            }
            // Maybe the tunnel was added a moment ago: read the store once more before refusing.
            reloadTunnels.get().whenComplete((done, error) -> {
                synchronized (this) {
                    Optional<Tunnel> again = tunnels.authenticate(token);
                    if (again.isPresent()) {
                        welcome(again.get());
                    } else {
                        log.warn("agent from {} refused: invalid or revoked token", remote);
                        refuse(Status.UNAUTHENTICATED.withDescription("invalid or revoked token"));
                    }
                }
            });
        }

        private void welcome(Tunnel tunnel) {
            agent = new ConnectedAgent(tunnel, responses, remote, loop);
            agent.send(RelayMessage.newBuilder().setWelcome(Welcome.newBuilder()
                    .setTunnelName(tunnel.name()).setPublicAddress(publicAddress)
                    .setFtpPort(tunnel.ftpPort())).build());
            agents.connect(agent);
        }

        private void handle(AgentMessage message) {
            switch (message.getKindCase()) {
                case STREAM_FAILED -> pending.fail(message.getStreamFailed().getStreamId(),
                        message.getStreamFailed().getReason());
                case LISTEN_STARTED -> listens.started(message.getListenStarted().getStreamId(),
                        message.getListenStarted().getHost(), message.getListenStarted().getPort());
                case LISTEN_FAILED -> listens.failed(message.getListenFailed().getStreamId(),
                        message.getListenFailed().getReason());
                case PONG -> { }
                case WATCH_NODES -> {
                    if (nodes != null) {
                        nodeLists.start(nodes, agent);
                    }
                }
                case DRAINING -> {
                    agent.markDraining();
                    log.info("tunnel {}: agent from {} is shutting down ({}): no new sessions; running ones end "
                            + "once their transfers are done", agent.tunnel().name(), agent.remote(),
                            message.getDraining().getReason());
                    onDraining.accept(agent);
                }
                default -> log.debug("tunnel {}: ignoring agent message {}", agent.tunnel().name(), message.getKindCase());
            }
        }

        private void refuse(Status status) {
            try {
                responses.onError(status.asRuntimeException());
            } catch (RuntimeException e) {
                // already closed
            }
        }

        @Override
        public synchronized void onError(Throwable t) {
            helloDeadline.cancel(false);
            nodeLists.close();
            if (agent != null) {
                agents.lost(agent, Status.fromThrowable(t));
            }
        }

        @Override
        public synchronized void onCompleted() {
            helloDeadline.cancel(false);
            nodeLists.close();
            if (agent != null) {
                agents.disconnect(agent);
                agent.close(Status.OK);
            } else {
                refuse(Status.INVALID_ARGUMENT.withDescription("the call ended before hello"));
            }
        }
    }

    StreamObserver<PipeFrame> pipe(StreamObserver<PipeFrame> responses) {
        ServerCallStreamObserver<PipeFrame> outbound = (ServerCallStreamObserver<PipeFrame>) responses;
        outbound.disableAutoRequest();
        outbound.setOnReadyThreshold(ON_READY_THRESHOLD);
        PipeCall call = new PipeCall(outbound);
        outbound.setOnReadyHandler(call::onReady);
        outbound.request(1);
        return call;
    }

    /**
     * One Pipe call: the first frame names the stream; then frames go to its socket. The socket may
     * come after the attach (active mode dials the client; an early passive stream waits for the
     * client to connect): until then nothing more is requested, and a call the agent ends first
     * resets the socket when it comes.
     */
    private final class PipeCall implements StreamObserver<PipeFrame> {
        private final ServerCallStreamObserver<PipeFrame> outbound;
        private volatile SocketPipe socketPipe;
        /** The agent ended the call before the socket was there (guarded by this). */
        private boolean endedEarly;

        PipeCall(ServerCallStreamObserver<PipeFrame> outbound) {
            this.outbound = outbound;
        }

        void onReady() {
            SocketPipe p = socketPipe;
            if (p != null) {
                p.onOutboundReady();
            }
        }

        @Override
        public void onNext(PipeFrame frame) {
            SocketPipe p = socketPipe;
            if (p != null) {
                p.onNext(frame);
                return;
            }
            if (!(frame instanceof PipeFrame.Attach attach)) {
                if (frame instanceof PipeFrame.Data data) {
                    data.release();
                }
                outbound.onError(Status.INVALID_ARGUMENT.withDescription("the first frame must be attach").asRuntimeException());
                return;
            }
            PendingStreams.Pending waiting = pending.claimAttached(attach.streamId());
            if (waiting == null) {
                outbound.onError(Status.NOT_FOUND.withDescription("no connection is waiting for this stream").asRuntimeException());
                return;
            }
            waiting.relaySide().get().whenComplete((channel, error) -> join(waiting, channel, error));
        }

        private void join(PendingStreams.Pending waiting, io.netty.channel.Channel channel, Throwable error) {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                waiting.onFailure().accept(String.valueOf(cause.getMessage()));
                outbound.onError(Status.UNAVAILABLE.withDescription("relay could not connect to the client: "
                        + cause.getMessage()).asRuntimeException());
                return;
            }
            synchronized (this) {
                if (!endedEarly) {
                    SocketPipe joined = new SocketPipe(channel, outbound, waiting.label());
                    socketPipe = joined;
                    joined.start();
                    return;
                }
            }
            waiting.onFailure().accept("the agent's side ended before the connection was joined");
            SocketPipe.resetChannel(channel);
        }

        /** The socket pipe, or null after marking the call as ended before it came. */
        private synchronized SocketPipe pipeOrEnd() {
            if (socketPipe == null) {
                endedEarly = true;
            }
            return socketPipe;
        }

        @Override
        public void onError(Throwable t) {
            SocketPipe p = pipeOrEnd();
            if (p != null) {
                p.onError(t);
            }
        }

        @Override
        public void onCompleted() {
            SocketPipe p = pipeOrEnd();
            if (p != null) {
                p.onCompleted();
            } else {
                outbound.onCompleted();
            }
        }
    }
}
