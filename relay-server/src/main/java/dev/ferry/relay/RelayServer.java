package dev.ferry.relay;

import dev.ferry.link.Sizes;
import dev.ferry.link.flow.BudgetedNegotiator;
import dev.ferry.link.flow.WindowBudget;
import dev.ferry.link.LinkKeepalive;
import dev.ferry.link.admin.AdminServer;
import dev.ferry.link.admin.JvmMeters;
import dev.ferry.link.admin.Readiness;
import dev.ferry.relay.admin.RelayAdmin;
import dev.ferry.relay.admin.RelayChecks;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.ferry.link.transport.EventLoops;
import dev.ferry.relay.config.RelayConfig;
import dev.ferry.relay.data.DataPortPool;
import dev.ferry.relay.drain.AgentDrain;
import dev.ferry.relay.drain.LiveSessions;
import dev.ferry.relay.drain.RelayDrain;
import dev.ferry.relay.frontend.ActiveDialer;
import dev.ferry.relay.ftps.FtpsCertificates;
import dev.ferry.relay.ftps.FtpsContexts;
import dev.ferry.relay.ftps.ImplicitFtpsListener;
import dev.ferry.relay.frontend.FrontendListeners;
import dev.ferry.relay.frontend.LoginFailures;
import dev.ferry.relay.frontend.SessionCounter;
import dev.ferry.relay.frontend.SessionLauncher;
import dev.ferry.relay.frontdoor.SharedPortListener;
import dev.ferry.relay.frontend.SessionServices;
import dev.ferry.relay.gateway.GatewayConfig;
import dev.ferry.relay.link.AgentLinkService;
import dev.ferry.relay.link.ConnectedAgents;
import dev.ferry.relay.link.PendingListens;
import dev.ferry.relay.link.PendingStreams;
import dev.ferry.relay.link.RemoteAddressInterceptor;
import dev.ferry.relay.link.StreamIds;
import dev.ferry.relay.observe.AccessLog;
import dev.ferry.relay.observe.LiveState;
import dev.ferry.relay.observe.ObserveSettings;
import dev.ferry.relay.observe.RelayMeters;
import dev.ferry.relay.observe.RelayObservations;
import dev.ferry.relay.tls.RelayCertificate;
import dev.ferry.relay.tunnel.TunnelRegistry;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running relay: the agent endpoint, the shared FTP port, one FTP listener per tunnel that has its own, and the passive data ports. */
public final class RelayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    /** The largest Pipe or Control message a peer may send. */
    public static final int MAX_MESSAGE_BYTES = dev.ferry.link.LinkLimits.MAX_MESSAGE_BYTES;
    /** Concurrent calls one agent connection may hold: its Control call plus one Pipe per connection. */
    public static final int MAX_STREAMS_PER_CONNECTION = 20_000;
    /** The longest an FTPS handshake may take (shorter if the login deadline is). */
    public static final Duration MAX_TLS_HANDSHAKE = Duration.ofSeconds(10);
    /** How often the status page at {@code /} of the admin listener reloads itself. */
    public static final int STATUS_REFRESH_SECONDS = 5;

    private final RelayConfig config;
    private final SecureRandom random = new SecureRandom();
    private EventLoops loops;
    private Server grpc;
    private FrontendListeners frontends;
    private volatile SharedPortListener sharedPort;
    private TunnelRegistry registry;
    private ConnectedAgents agents;
    private DataPortPool dataPorts;
    private SessionCounter sessions;
    private ScheduledFuture<?> poller;
    private ScheduledExecutorService tunnelPoller;
    private final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Void>> reloading =
            new java.util.concurrent.atomic.AtomicReference<>();
    private RelayCertificate certificate;
    private ImplicitFtpsListener implicitFtps;
    /** Every open FTP control connection, for the drain. */
    private final LiveSessions live = new LiveSessions();
    private RelayDrain drain;
    /** What {@code /readyz} answers; see {@link RelayChecks}. */
    private final Readiness readiness = new Readiness();
    /** Set while draining: {@code /readyz} answers 503. */
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile AdminServer admin;
    /** How long the relay serves from a registry snapshot it cannot refresh before {@code /readyz} turns 503. */
    static final java.time.Duration REGISTRY_STALE_LIMIT = java.time.Duration.ofSeconds(30);
    private final dev.ferry.relay.registry.RegistrySettings registrySettings;
    private final String nodeId;
    private dev.ferry.relay.registry.RegistryBackend registryBackend;
    private final java.util.concurrent.atomic.AtomicBoolean pollQueued = new java.util.concurrent.atomic.AtomicBoolean();

    /** The relay's one meter registry: {@code /metrics} of the admin listener serves it. */
    private final PrometheusMeterRegistry meters;
    private final ObserveSettings observe;
    private RelayObservations observations;
    private AccessLog accessLog;

    public RelayServer(RelayConfig config) {
        this(config, dev.ferry.relay.registry.RegistrySettings.dataDir(), null);
    }

    /**
     * A relay whose tunnels live where {@code registry} says (the data dir, or etcd shared with other nodes),
     * listed in the node directory as {@code nodeId} (null: {@code PUBLIC-ADDRESS:AGENT-PORT}).
     */
    public RelayServer(RelayConfig config, dev.ferry.relay.registry.RegistrySettings registry, String nodeId) {
        this(config, registry, nodeId, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), ObserveSettings.DEFAULTS);
    }

    /** @param meters where the relay's meters go (the admin listener scrapes the same registry) */
    public RelayServer(RelayConfig config, PrometheusMeterRegistry meters, ObserveSettings observe) {
        this(config, dev.ferry.relay.registry.RegistrySettings.dataDir(), null, meters, observe);
    }

    /** As above, with the registry and node id of {@link #RelayServer(RelayConfig, dev.ferry.relay.registry.RegistrySettings, String)}. */
    public RelayServer(RelayConfig config, dev.ferry.relay.registry.RegistrySettings registry, String nodeId,
            PrometheusMeterRegistry meters, ObserveSettings observe) {
        this.config = config;
        this.meters = meters;
        this.observe = observe;
        JvmMeters.bindTo(meters);
        this.registrySettings = registry;
        this.nodeId = nodeId;
    }

    /** Starts everything or fails with a message naming what could not start (e.g. the port). */
    public RelayServer start() {
        loops = EventLoops.create("ferry-relay", config.eventLoopThreads());
        // Not on an event loop: opening and closing listeners waits for binds, which must not block a loop.
        tunnelPoller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-tunnel-poller");
            t.setDaemon(true);
            return t;
        });
        try {
            registryBackend = dev.ferry.relay.registry.Registries.backend(registrySettings, config.dataDir());
            registry = new TunnelRegistry(registryBackend::tunnels);
            observations = observations();
            registry.addListener(observations.live());
            agents = new ConnectedAgents(observations);
            PendingStreams pending = new PendingStreams(config.streamOpenTimeout(), observations::streamOpened);
            PendingListens listens = new PendingListens();
            dataPorts = new DataPortPool(config.passivePorts(), config.bind(), loops.serverChannelType(),
                    config.passiveLeaseTimeout(), config.limits().leasesPerIp(), random);
            // The relay answers AUTH, PBSZ and PROT itself on every FTP port (dev.ferry.relay.ftps).
            GatewayConfig gateway = GatewayConfig.builder().publicAddress(config.publicAddress()).tlsFeatures(true).build();
            SessionServices services = new SessionServices(gateway, pending, listens,
                    new StreamIds(random), dataPorts, new ActiveDialer(loops.socketChannelType(), config.bind()),
                    config.passiveLeaseTimeout(), config.limits(),
                    sessions = new SessionCounter(config.limits().sessionsPerIp(), config.limits().sessionsPerTunnel()),
                    new LoginFailures(config.limits().loginFailuresBeforeDelay(),
                            config.limits().loginFailuresBeforeBlock(), config.limits().loginFailureWindow(),
                            com.github.benmanes.caffeine.cache.Ticker.systemTicker()),
                    new AtomicLong(), ftpsContexts());
            SessionLauncher launcher = new SessionLauncher(agents, services, live, observations);
            drain = new RelayDrain(live, this::stopAccepting, loops.group(), System::nanoTime);
            relayMeters.gauges(agents::size, registry::size, sessions::total, dataPorts::leasedCount,
                    () -> config.passivePorts().size());
            frontends = new FrontendListeners(loops, config.bind(), agents, launcher);
            registry.addListener(frontends);
            // Only now: a change read before the listeners are attached would be consumed unseen, and the
            // tunnel's port would never open (a restarted etcd node served nothing on its dedicated ports).
            registryBackend.onTunnelsChanged(this::pollSoon);
            if (config.ftps().implicitListen() != null) {
                implicitFtps = ImplicitFtpsListener.start(loops, config.ftps().implicitListen().toSocketAddress(),
                        services.ftps(), registry::find, frontends::admit, this::withoutServerName);
            }
            AgentLinkService service = new AgentLinkService(registry, agents, pending, listens, loops.group(),
                    config.agentHelloTimeout(), config.publicAddress().getHostAddress(), this::reloadSoon,
                    // WatchNodes: only a registry other nodes share (etcd) has other nodes to tell agents about
                    registryBackend.polled() ? null : registryBackend.nodeDirectory(),
                    agent -> AgentDrain.drainSessions(live, agent.tunnel().name()));
            grpc = startGrpc(service);
            new RelayState(config.dataDir()).write(config.publicAddress().getHostAddress(), agentPort(),
                    config.insecure(), certificate);
            registry.reload();
            registryBackend.announce(selfNode());
            if (config.ftpListen() != null) {
                sharedPort = SharedPortListener.start(loops, config.ftpListen(), registry::find, launcher,
                        services.sessions(), services.ftps(), config.limits().loginTimeout(),
                        services.gatewayConfig().maxLineLength(), live);
            }
            long poll = config.tunnelPollInterval().toMillis();
            poller = tunnelPoller.scheduleWithFixedDelay(this::poll, poll, poll, TimeUnit.MILLISECONDS);
            startAdmin();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private RelayMeters relayMeters;

    /** Meters, access log and the status page's live state, fed by sessions, agents and streams. */
    private RelayObservations observations() {
        String version = RelayServer.class.getPackage().getImplementationVersion();
        relayMeters = new RelayMeters(meters, observe.metricsPerTunnel(), version == null ? "dev" : version);
        if (observe.accessLog() != null) {
            accessLog = AccessLog.open(observe.accessLog(), observe.accessLogMaxBytes(), observe.accessLogFiles());
        }
        return new RelayObservations(relayMeters, new LiveState(), accessLog, java.time.Clock.systemUTC());
    }

    private void startAdmin() {
        FrontendListeners ports = frontends;
        ConnectedAgents linked = agents;
        RelayChecks.register(readiness, () -> grpc == null || grpc.isShutdown() ? null : config.agentListen().host()
                + ":" + agentPort(), ports::unbound, registryBackend::tunnels, registryBackend::staleSince, REGISTRY_STALE_LIMIT,
                java.time.Clock.systemUTC(), draining::get);
        if (config.admin().enabled()) {
            admin = RelayAdmin.start(config, readiness, meters, certificate, agentPort(), registryBackend.store(), this::reloadTunnels,
                    ports::boundPort, name -> linked.forTunnel(name).isPresent(), random);
            admin.mount("/", new dev.ferry.relay.observe.StatusPageHandler(new dev.ferry.relay.observe.StatusPage(
                    STATUS_REFRESH_SECONDS), observations.live(), java.time.Clock.systemUTC()));
        }
    }

    /** The meter registry every part of the relay records into; {@code /metrics} serves it. */
    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** What the status page shows: tunnels, live sessions, recent failures (null before {@link #start()}). */
    public LiveState liveState() {
        return observations == null ? null : observations.live();
    }

    /** The readiness checks behind {@code /readyz}; other parts may add their own. */
    public Readiness readiness() {
        return readiness;
    }

    /** Marks the relay as draining (or not): {@code /readyz} answers 503 while it is. */
    public void setDraining(boolean value) {
        draining.set(value);
    }

    public boolean isDraining() {
        return draining.get();
    }

    /** The admin listener, if {@code --admin-listen} is on; mount the status page with {@code mount("/", handler)}. */
    public Optional<AdminServer> adminServer() {
        return Optional.ofNullable(admin);
    }

    private dev.ferry.relay.registry.RelayNode selfNode() {
        String address = config.publicAddress().getHostAddress();
        return new dev.ferry.relay.registry.RelayNode(nodeId != null ? nodeId : address + ":" + agentPort(), address,
                new dev.ferry.relay.config.HostPort(address, agentPort()), dev.ferry.relay.registry.NodeState.SERVING,
                certificate == null ? "" : certificate.pin().toString());
    }

    /** Reloads on the poller thread soon; a change signalled while a reload runs gets a reload of its own. */
    private void pollSoon() {
        ScheduledExecutorService poller = tunnelPoller;
        if (poller != null && pollQueued.compareAndSet(false, true)) {
            try {
                poller.execute(() -> {
                    pollQueued.set(false);
                    poll();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** The live relay nodes (with etcd: every node sharing the registry; else this one). */
    public dev.ferry.relay.registry.NodeDirectory nodeDirectory() {
        return registryBackend.nodeDirectory();
    }

    /** Since when this node's snapshot of the registry may be stale (etcd unreachable); empty while in step. */
    public Optional<java.time.Instant> registryStaleSince() {
        return registryBackend == null ? Optional.empty() : registryBackend.staleSince();
    }

    /** The registry this relay serves from: its store, snapshot, node directory and this node's entry. */
    public dev.ferry.relay.registry.RegistryBackend registry() {
        return registryBackend;
    }

    private FtpsContexts ftpsContexts() {
        Duration handshake = config.limits().loginTimeout().compareTo(MAX_TLS_HANDSHAKE) < 0
                ? config.limits().loginTimeout() : MAX_TLS_HANDSHAKE;
        return new FtpsContexts(new FtpsCertificates(config.dataDir()), config.ftps().defaultCert(),
                config.ftps().defaultKey(), config.publicAddress().getHostAddress(), random, handshake);
    }

    private void poll() {
        try {
            registry.reload();
            frontends.retryFailed();
        } catch (RuntimeException e) {
            log.error("cannot reload tunnels: {}", e.getMessage());
        }
    }

    private Server startGrpc(AgentLinkService service) {
        InetSocketAddress address = config.agentListen().toSocketAddress();
        WindowBudget windows = WindowBudget.forLink(config.memoryBudget(), config.linkWindow());
        log.info("memory budget {}: agent-link stream windows from {} to {}, together at most {}",
                config.memoryBudget(), Sizes.format(windows.minWindow()), config.linkWindow(),
                Sizes.format(config.memoryBudget().windowBytes()));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address)
                .bossEventLoopGroup(loops.group())
                .workerEventLoopGroup(loops.group())
                .channelType(loops.serverChannelType())
                .directExecutor()
                .addService(ServerInterceptors.intercept(service.definition(), new RemoteAddressInterceptor()))
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(8 * 1024)
                .maxConcurrentCallsPerConnection(MAX_STREAMS_PER_CONNECTION)
                .maxRstFramesPerWindow(200, 10)
                .maxConnectionIdle(2, TimeUnit.MINUTES)
                .handshakeTimeout(10, TimeUnit.SECONDS)
                .permitKeepAliveTime(LinkKeepalive.PERMIT.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                // A silently dead link (packets dropped, no FIN/RST) is found by PINGs from this side too.
                .keepAliveTime(LinkKeepalive.INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(LinkKeepalive.RELAY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                // Every stream starts at the budget's small window; StreamWindows grows it up to --link-window
                // (gRPC's BDP auto-tuning stops at 8 MiB and knows no budget).
                .flowControlWindow(windows.minWindow());
        if (config.insecure()) {
            log.warn("*** --insecure: the agent link on {} is PLAINTEXT. Tokens and every byte of FTP traffic "
                    + "between relay and agents can be read and changed by anyone on the path. Use it only in labs. ***",
                    config.agentListen());
            builder.protocolNegotiator(new BudgetedNegotiator(InternalProtocolNegotiators.serverPlaintext(), windows));
        } else {
            certificate = config.tlsCert() != null
                    ? RelayCertificate.load(config.tlsCert(), config.tlsKey())
                    : RelayCertificate.loadOrGenerate(config.dataDir(), random);
            builder.protocolNegotiator(new BudgetedNegotiator(InternalProtocolNegotiators.serverTls(serverTls(certificate)),
                    windows));
        }
        try {
            Server server = builder.build().start();
            log.info("listening for agents on {} ({}); public address {}, passive ports {}",
                    server.getListenSockets(), config.insecure() ? "PLAINTEXT" : "TLS via " + (OpenSsl.isAvailable() ? "BoringSSL" : "the JDK")
                            + ", certificate " + certificate.pin(),
                    config.publicAddress().getHostAddress(), config.passivePorts());
            return server;
        } catch (IOException e) {
            if (isAddressInUse(e)) {
                throw new IllegalStateException("cannot listen for agents on " + config.agentListen()
                        + " (--agent-listen): port " + config.agentListen().port() + " is already in use", e);
            }
            throw new UncheckedIOException("cannot listen for agents on " + config.agentListen(), e);
        }
    }

    private static boolean isAddressInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static SslContext serverTls(RelayCertificate cert) {
        try {
            return GrpcSslContexts.configure(
                    io.netty.handler.ssl.SslContextBuilder.forServer(cert.certFile().toFile(), cert.keyFile().toFile()),
                    OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot use the TLS certificate " + cert.certFile() + ": " + e.getMessage(), e);
        }
    }

    /** The port agents connect to (the real one when configured as 0). */
    public int agentPort() {
        return ((InetSocketAddress) grpc.getListenSockets().get(0)).getPort();
    }

    public Optional<Integer> ftpPort(String tunnelName) {
        return frontends.boundPort(tunnelName);
    }

    /** Implicit FTPS without SNI: named by USER or HOST as on the shared port, if there is one; else told to name it. */
    private void withoutServerName(io.netty.channel.socket.SocketChannel ch, dev.ferry.relay.ftps.FtpsContexts.ControlTls tls) {
        SharedPortListener shared = sharedPort;
        if (shared != null) {
            shared.serveWithoutServerName(ch, tls);
        } else {
            ImplicitFtpsListener.askForName(ch, tls);
        }
    }

    /** The shared FTP port, if {@code --ftp-listen} is on (the real port when configured as 0). */
    public Optional<Integer> sharedFtpPort() {
        return sharedPort == null ? Optional.empty() : Optional.of(sharedPort.port());
    }

    public Optional<RelayCertificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** The implicit FTPS port (the real one when configured as 0). */
    public Optional<Integer> implicitFtpsPort() {
        return Optional.ofNullable(implicitFtps).map(l -> l.localAddress().getPort());
    }

    public DataPortPool dataPorts() {
        return dataPorts;
    }

    /** FTP sessions open now, across all tunnels (what a stop would reset). */
    public int openSessions() {
        return sessions == null ? 0 : sessions.total();
    }

    /** Reads the tunnel store on the poller thread as soon as it is free; concurrent callers share one read. */
    private java.util.concurrent.CompletionStage<Void> reloadSoon() {
        synchronized (reloading) {
            java.util.concurrent.CompletableFuture<Void> current = reloading.get();
            if (current != null && !current.isDone()) {
                return current;
            }
            java.util.concurrent.CompletableFuture<Void> next = tunnelPoller == null
                    ? java.util.concurrent.CompletableFuture.completedFuture(null)
                    : java.util.concurrent.CompletableFuture.runAsync(this::poll, tunnelPoller);
            reloading.set(next);
            return next;
        }
    }

    /** Reads the tunnel store now instead of waiting for the next poll. */
    public void reloadTunnels() {
        poll();
    }

    /**
     * Drains the relay (SIGTERM): no new FTP sessions (every FTP port closes, the agent endpoint stays
     * up), each open session ends with 421 once no transfer runs, for at most {@code timeout}. Completes
     * when no session is left or the timeout passed; {@link #close()} then cuts what is left.
     */
    public java.util.concurrent.CompletableFuture<RelayDrain.Summary> drain(String cause, Duration timeout) {
        setDraining(true); // /readyz answers 503 before the first listener closes
        if (registryBackend != null) {
            try {
                registryBackend.changeState(dev.ferry.relay.registry.NodeState.DRAINING); // agents link to it no more
            } catch (RuntimeException e) {
                log.warn("cannot mark this node DRAINING in the registry: {}", e.toString());
            }
        }
        return drain.start(cause, timeout);
    }

    /** Closes every listener that starts sessions (tunnel ports, shared port, implicit FTPS) and reads no more tunnels. */
    private void stopAccepting() {
        if (poller != null) {
            poller.cancel(false);
        }
        if (sharedPort != null) {
            sharedPort.close();
        }
        if (implicitFtps != null) {
            implicitFtps.close();
        }
        if (frontends != null) {
            frontends.stopListening();
        }
    }

    @Override
    public void close() {
        if (drain != null) {
            drain.cut();
        }
        if (admin != null) {
            admin.close();
        }
        if (poller != null) {
            poller.cancel(false);
        }
        if (tunnelPoller != null) {
            tunnelPoller.shutdownNow();
        }
        if (agents != null) {
            agents.closeAll(Status.UNAVAILABLE.withDescription("relay shutting down"));
        }
        if (sharedPort != null) {
            sharedPort.close();
        }
        if (implicitFtps != null) {
            implicitFtps.close();
        }
        if (frontends != null) {
            frontends.closeAll();
        }
        if (grpc != null) {
            grpc.shutdown();
            try {
                if (!grpc.awaitTermination(3, TimeUnit.SECONDS)) {
                    grpc.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (loops != null) {
            loops.shutdown(Duration.ofSeconds(3));
        }
        if (registryBackend != null) {
            registryBackend.close();
        }
        if (accessLog != null) {
            accessLog.close(); // after the loops: the sessions they ended have been logged
        }
    }
}
