package dev.ferry.relay.observe;

import dev.ferry.relay.gateway.CommandKind;
import dev.ferry.relay.gateway.FtpCommand;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the relay sees of one FTP session: who logged in, the command under way, and each data
 * transfer from its command to its final reply and the close of its data connection (whichever
 * comes last, so every byte is counted). Events arrive on the session's event loop; the status page
 * reads {@link #view()} from any thread. Passwords never get here: the gateway hands over commands
 * already {@link FtpCommand#forLog() redacted}.
 */
public final class ObservedSession {
    /** Commands that move data over a data connection. */
    static final Set<String> TRANSFERS = Set.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");
    private static final int MAX_TEXT = 256;

    private final RelayObservations hub;
    private final String id;
    private final String tunnel;
    private final String client;
    private final Instant started;
    private volatile String user = "";
    private volatile String command = "";
    private volatile Running running;
    private volatile long bytesToClient;
    private volatile long bytesFromClient;
    private boolean loggedIn;
    private int loginsFailed;
    private int transfers;
    private TransferMode mode = TransferMode.NONE;
    private DataCounter unclaimed;
    private Channel unclaimedChannel;
    private String agentReason;
    private SessionOutcome outcome;
    private boolean ended;

    ObservedSession(RelayObservations hub, String id, String tunnel, InetSocketAddress client, Instant started) {
        this.hub = hub;
        this.id = id;
        this.tunnel = tunnel;
        this.client = client.getAddress().getHostAddress();
        this.started = started;
    }

    /** A transfer from its command on. */
    private final class Running {
        final String verb;
        final String path;
        final TransferMode mode;
        final Instant start;
        DataCounter counter;
        Channel data;
        int code;
        String reply;
        boolean answered;
        boolean done;

        Running(String verb, String path, TransferMode mode, Instant start) {
            this.verb = verb;
            this.path = path;
            this.mode = mode;
            this.start = start;
        }

        void attach(DataCounter c, Channel ch) {
            counter = c;
            data = ch;
        }

        long toClient() {
            return counter == null ? 0 : counter.toClient();
        }

        long fromClient() {
            return counter == null ? 0 : counter.fromClient();
        }
    }

    public String id() {
        return id;
    }

    public String tunnel() {
        return tunnel;
    }

    public String client() {
        return client;
    }

    public String user() {
        return user;
    }

    /** The client sent {@code c} (redacted). */
    public void command(FtpCommand c) {
        String verb = c.verb().toUpperCase(Locale.ROOT);
        command = clip(c.argument().isEmpty() ? verb : verb + " " + c.argument());
        if (verb.equals("USER")) {
            user = clip(c.argument());
        }
        if (TRANSFERS.contains(verb)) {
            Running previous = running;
            if (previous != null && !previous.done) {
                complete(previous);
            }
            Running r = new Running(verb, clip(c.argument()), mode, hub.now());
            if (unclaimed != null) {
                r.attach(unclaimed, unclaimedChannel);
                unclaimed = null;
                unclaimedChannel = null;
            }
            running = r;
        }
    }

    /** The final reply to {@code c} (redacted; null for the greeting) went to the client. */
    public void answered(FtpCommand c, int code, String text) {
        if (c == null || ended) {
            return;
        }
        String verb = c.verb().toUpperCase(Locale.ROOT);
        if (code == 230 && !loggedIn) {
            loggedIn = true;
            hub.login(this, true, code, text);
        } else if (code == 530 && (c.kind() == CommandKind.USER || c.kind() == CommandKind.PASS)) {
            loginsFailed++;
            hub.login(this, false, code, text);
        }
        String cause = null;
        if (code == 425 || code == 426) {
            cause = DataFailureCause.label(code, text, agentReason);
            hub.dataFailure(this, code, cause);
        }
        TransferMode setUp = TransferMode.of(c);
        if (setUp != null) {
            if (code < 300) {
                mode = setUp;
                agentReason = null;
            } else {
                String label = cause != null ? cause : DataFailureCause.label(code, text, null);
                hub.transferEnded(new TransferRecord(hub.now(), id, tunnel, client, user, verb, clip(c.argument()),
                        setUp, 0, 0, Duration.ZERO, code, clip(text), label, null));
            }
            return;
        }
        Running r = running;
        if (TRANSFERS.contains(verb) && r != null && r.verb.equals(verb) && !r.answered) {
            r.code = code;
            r.reply = clip(text);
            r.answered = true;
            if (r.data == null || !r.data.isOpen()) {
                complete(r);
            }
        }
    }

    /** A data connection of this session (either mode) is up: its bytes are counted from now on. */
    public void dataConnection(Channel data) {
        DataCounter counter = new DataCounter();
        data.pipeline().addLast("observe", counter);
        Running r = running;
        if (r != null && r.counter == null && !r.done) {
            r.attach(counter, data);
        } else {
            unclaimed = counter;
            unclaimedChannel = data;
        }
        data.closeFuture().addListener(f -> data.eventLoop().execute(() -> {
            if (unclaimedChannel == data) {
                unclaimed = null;
                unclaimedChannel = null;
            }
            Running now = running;
            if (now != null && now.data == data && now.answered && !now.done) {
                complete(now);
            }
        }));
    }

    /** The agent could not open a data connection to the FTP server: the cause of the 425/426 that follows. */
    public void dataFailed(String reason) {
        agentReason = clip(reason);
    }

    public void passiveRewritten(CommandKind kind) {
        hub.passiveRewritten(this, kind);
    }

    /** The relay ends the session for {@code why} (the first reason given wins). */
    public void ending(SessionOutcome why) {
        if (outcome == null) {
            outcome = why;
        }
    }

    /** The client's connection closed. */
    public void ended() {
        if (ended) {
            return;
        }
        Running r = running;
        if (r != null && !r.done) {
            complete(r);
        }
        ended = true;
        SessionOutcome o = outcome != null ? outcome
                : loggedIn ? SessionOutcome.CLOSED : SessionOutcome.CLOSED_BEFORE_LOGIN;
        Instant now = hub.now();
        hub.sessionEnded(this, new SessionRecord(now, id, tunnel, client, user, o, Duration.between(started, now),
                loginsFailed, transfers, bytesToClient, bytesFromClient));
    }

    private void complete(Running r) {
        r.done = true;
        if (running == r) {
            running = null;
        }
        transfers++;
        long to = r.toClient();
        long from = r.fromClient();
        bytesToClient += to;
        bytesFromClient += from;
        Instant now = hub.now();
        boolean failedData = r.code == 425 || r.code == 426;
        String cause = failedData ? DataFailureCause.label(r.code, r.reply, agentReason)
                : r.answered ? null : "session_ended";
        hub.transferEnded(new TransferRecord(now, id, tunnel, client, user, r.verb, r.path, r.mode, to, from,
                Duration.between(r.start, now), r.answered ? r.code : 0, r.reply, cause,
                failedData ? agentReason : null));
    }

    /** What the status page shows of this session now. */
    public SessionView view() {
        Instant now = hub.now();
        Running r = running;
        Optional<SessionView.TransferView> transfer = Optional.empty();
        if (r != null && !r.done) {
            transfer = Optional.of(new SessionView.TransferView(r.verb, r.path, r.mode, r.toClient(), r.fromClient(),
                    Duration.between(r.start, now)));
        }
        return new SessionView(id, tunnel, client, user, command, started, bytesToClient, bytesFromClient, transfer);
    }

    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }
}
