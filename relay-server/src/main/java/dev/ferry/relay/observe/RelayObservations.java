package dev.ferry.relay.observe;

import dev.ferry.relay.gateway.CommandKind;
import dev.ferry.relay.link.ConnectedAgent;
import dev.ferry.relay.link.ConnectedAgents;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the relay's sessions, refusals, agents and streams report what happens; it keeps the
 * meters, the access log (if one is configured) and the status page's {@link LiveState} up to date.
 * One per relay, made where the relay is composed.
 */
public final class RelayObservations implements ConnectedAgents.Listener {
    private final RelayMeters meters;
    private final LiveState live;
    private final AccessLog accessLog;
    private final Clock clock;

    /** @param accessLog null for none */
    public RelayObservations(RelayMeters meters, LiveState live, AccessLog accessLog, Clock clock) {
        this.meters = meters;
        this.live = live;
        this.accessLog = accessLog;
        this.clock = clock;
    }

    public LiveState live() {
        return live;
    }

    public Optional<AccessLog> accessLog() {
        return Optional.ofNullable(accessLog);
    }

    Instant now() {
        return clock.instant();
    }

    /** A session starts (the client was admitted): its events go to the returned object. */
    public ObservedSession sessionOpened(String id, String tunnel, InetSocketAddress client) {
        ObservedSession s = new ObservedSession(this, id, tunnel, client, now());
        live.opened(s);
        return s;
    }

    void sessionEnded(ObservedSession s, SessionRecord r) {
        live.ended(s);
        meters.sessionEnded(r);
        if (accessLog != null) {
            accessLog.session(r);
        }
        if (r.outcome() != SessionOutcome.CLOSED && r.outcome() != SessionOutcome.CLOSED_BEFORE_LOGIN) {
            live.failed(new Failure(r.time(), r.tunnel(), r.client(), "session ended", r.outcome().label()));
        }
    }

    void login(ObservedSession s, boolean ok, int code, String reply) {
        meters.login(s.tunnel(), ok);
        Instant now = now();
        if (accessLog != null) {
            accessLog.login(now, s, ok, code, reply);
        }
        if (!ok) {
            live.failed(new Failure(now, s.tunnel(), s.client(), "login failed for user " + s.user(), reply));
        }
    }

    void dataFailure(ObservedSession s, int code, String cause) {
        meters.dataFailure(s.tunnel(), code, cause);
    }

    void transferEnded(TransferRecord t) {
        if (t.isTransfer()) {
            meters.transfer(t);
            live.transferred(t);
        }
        if (accessLog != null) {
            accessLog.transfer(t);
        }
        if (!t.ok()) {
            String what = t.command() + (t.path().isEmpty() ? "" : " " + t.path()) + " (" + t.mode().label() + ")";
            String reply = t.reply() == null ? "no reply" : t.reply();
            String cause = t.cause() == null ? reply : t.cause() + ": " + reply
                    + (t.detail() == null ? "" : " (agent: " + t.detail() + ")");
            live.failed(new Failure(t.time(), t.tunnel(), t.client(), what, cause));
        }
    }

    void passiveRewritten(ObservedSession s, CommandKind kind) {
        meters.passiveRewritten(s.tunnel(), kind.name());
    }

    /** A client was turned away (or cut off) before or instead of a session; {@code tunnel} may be null. */
    public void refused(String tunnel, InetSocketAddress client, RefusalReason reason) {
        meters.refused(tunnel, reason);
        Instant now = now();
        String ip = client.getAddress().getHostAddress();
        if (accessLog != null) {
            accessLog.refused(now, tunnel, ip, reason);
        }
        live.failed(new Failure(now, tunnel == null ? "" : tunnel, ip, "client refused", reason.label()));
    }

    /** The agent attached the stream asked for {@code latency} ago. */
    public void streamOpened(Duration latency) {
        meters.streamOpened(latency);
    }

    @Override
    public void connected(ConnectedAgent agent) {
        live.agentConnected(agent.tunnel().name(), address(agent), now());
    }

    @Override
    public void gone(ConnectedAgent agent, String why) {
        live.agentGone(agent.tunnel().name(), address(agent));
        live.failed(new Failure(now(), agent.tunnel().name(), address(agent), "agent link ended", why));
    }

    /** The agent's address as {@code host:port} (an InetSocketAddress prints a leading slash). */
    private static String address(ConnectedAgent agent) {
        return String.valueOf(agent.remote()).replaceFirst("^[^/]*/", "");
    }
}
