package dev.ferry.relay.frontend;

import dev.ferry.relay.drain.LiveSessions;
import dev.ferry.relay.drain.RelayDrain;
import dev.ferry.relay.drain.SessionDrain;
import dev.ferry.relay.ftps.FtpsSession;
import dev.ferry.relay.gateway.CommandFilter;
import dev.ferry.relay.link.ConnectedAgent;
import dev.ferry.relay.link.ConnectedAgents;
import dev.ferry.relay.observe.RefusalReason;
import dev.ferry.relay.observe.RelayObservations;
import dev.ferry.relay.tunnel.Tunnel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts sessions, on a tunnel's dedicated port as on the shared one: admits a client to a tunnel
 * (its agent online, the IP not blocked for failed logins, the session caps), moves the client's
 * channel onto the event loop of the agent's connection, and starts the {@link Session} there.
 */
public final class SessionLauncher {
    private static final Logger log = LoggerFactory.getLogger(SessionLauncher.class);

    private final ConnectedAgents agents;
    private final SessionServices services;
    private final LiveSessions live;
    private final RelayObservations observations;

    /**
     * @param live where sessions are listed while open, so the relay can drain them
     * @param observations hears of every session and refusal (metrics, access log, status page)
     */
    public SessionLauncher(ConnectedAgents agents, SessionServices services, LiveSessions live,
            RelayObservations observations) {
        this.agents = agents;
        this.services = services;
        this.live = live;
        this.observations = observations;
    }

    /**
     * What a session gets beyond what a dedicated port gives it.
     *
     * @param connectedNanos {@link System#nanoTime()} when the client connected: the login deadline runs from then
     * @param filter decides client commands before the gateway's own filters
     * @param handlers adds handlers around the gateway (named {@link Session#GATEWAY}) once it is in place, on the session's loop
     * @param started runs on the session's loop once the gateway is in place and the stream is asked for
     */
    public record Options(long connectedNanos, CommandFilter filter, Consumer<ChannelPipeline> handlers,
            Runnable started) {
        public Options {
            Objects.requireNonNull(filter, "filter");
            Objects.requireNonNull(handlers, "handlers");
            Objects.requireNonNull(started, "started");
        }

        static Options dedicatedPort() {
            return new Options(System.nanoTime(), command -> CommandFilter.forward(), p -> { }, () -> { });
        }
    }

    /** The agent a client may start a session with, or the final reply that refuses it. */
    public record Admission(ConnectedAgent agent, String refusal) {
        public boolean admitted() {
            return agent != null;
        }
    }

    /**
     * Admits {@code client} to {@code tunnel} and counts it until the channel closes. On the shared
     * port the client's IP was counted at connect ({@code ipCounted}); only the tunnel is counted here.
     */
    public Admission admit(SocketChannel client, Tunnel tunnel, boolean ipCounted) {
        Optional<ConnectedAgent> agent = agents.forTunnel(tunnel.name());
        InetAddress ip = client.remoteAddress().getAddress();
        if (live.draining()) {
            log.info("tunnel {}: refused client {}: the relay is draining", tunnel.name(), client.remoteAddress());
            return refused(SessionDrain.CLOSING + " (" + RelayDrain.REASON + ").");
        }
        if (agent.isPresent() && agent.get().draining()) {
            log.info("tunnel {}: refused client {}: its agent is draining", tunnel.name(), client.remoteAddress());
            return refused("421 Service not available: " + tunnel.name() + " is restarting (its Ferry agent is shutting down).");
        }
        if (agent.isEmpty()) {
            log.info("tunnel {}: refused client {}: agent offline", tunnel.name(), client.remoteAddress());
            observations.refused(tunnel.name(), client.remoteAddress(), RefusalReason.AGENT_OFFLINE);
            return refused("421 Service not available: " + tunnel.name() + " is offline (its Ferry agent is not connected).");
        }
        if (services.loginFailures().blocked(ip, tunnel.name())) {
            log.warn("tunnel {}: refused client {}: too many failed logins", tunnel.name(), ip.getHostAddress());
            observations.refused(tunnel.name(), client.remoteAddress(), RefusalReason.LOGIN_BLOCKED);
            return refused("421 Too many failed logins from your address; try again later.");
        }
        String over = ipCounted ? services.sessions().tryJoinTunnel(tunnel.name())
                : services.sessions().tryOpen(ip, tunnel.name());
        if (over != null) {
            log.warn("tunnel {}: refused client {}: {}", tunnel.name(), ip.getHostAddress(), over);
            observations.refused(tunnel.name(), client.remoteAddress(),
                    over.startsWith(SessionCounter.PER_IP) ? RefusalReason.PER_IP_CAP : RefusalReason.TUNNEL_CAP);
            return refused("421 Service not available: " + over + ".");
        }
        client.closeFuture().addListener(f -> {
            if (ipCounted) {
                services.sessions().leaveTunnel(tunnel.name());
            } else {
                services.sessions().close(ip, tunnel.name());
            }
        });
        return new Admission(agent.get(), null);
    }

    /** The shared port refused a client at connect, before any tunnel was named. */
    public void refusedAtConnect(SocketChannel client, RefusalReason reason) {
        observations.refused(null, client.remoteAddress(), reason);
    }

    private static Admission refused(String reply) {
        return new Admission(null, reply);
    }

    /**
     * Serves an admitted client's session on the agent connection's event loop (no thread hop between
     * socket and stream), with the TLS state its control connection already has.
     */
    public void launch(SocketChannel client, Tunnel tunnel, ConnectedAgent agent, FtpsSession ftps, Options options) {
        Session session = new Session(client, tunnel, agent, services, ftps, options, live, observations);
        EventLoop target = agent.loop().orElse(client.eventLoop());
        if (target == client.eventLoop()) {
            client.eventLoop().execute(session::start);
            return;
        }
        client.eventLoop().execute(() -> client.deregister().addListener(d -> {
            if (!d.isSuccess()) {
                client.close();
                return;
            }
            target.register(client).addListener(r -> {
                if (r.isSuccess()) {
                    session.start();
                } else {
                    log.warn("tunnel {}: cannot move client {} to the agent's event loop: {}", tunnel.name(),
                            client.remoteAddress(), r.cause().toString());
                    client.close();
                }
            });
        }));
    }

    /** A client of a known tunnel (its dedicated port, implicit FTPS by SNI): admitted and launched, or refused with a final reply. */
    public void accept(SocketChannel client, Tunnel tunnel, FtpsSession ftps) {
        Admission admission = admit(client, tunnel, false);
        if (!admission.admitted()) {
            client.eventLoop().execute(() -> Session.refuse(client, admission.refusal()));
            return;
        }
        launch(client, tunnel, admission.agent(), ftps, Options.dedicatedPort());
    }
}
