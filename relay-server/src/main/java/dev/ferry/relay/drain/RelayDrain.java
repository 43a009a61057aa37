package dev.ferry.relay.drain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's graceful stop: no new FTP sessions (the FTP listeners close; the agent endpoint stays
 * up, so running sessions keep their agent links), every open session ends with a {@code 421} as
 * soon as it runs no command or transfer, and the drain ends when none is left or at its timeout.
 * One log line when it starts (sessions, and how many run something) and one when it ends (how many
 * ended, how many are left to be cut by the stop).
 */
public final class RelayDrain {
    private static final Logger log = LoggerFactory.getLogger(RelayDrain.class);
    /** What the 421 of a drained session says after "Service closing control connection". */
    public static final String REASON = "the relay is restarting";
    /** How long the start line waits to learn which sessions run something. */
    private static final long SURVEY_MILLIS = 2_000;

    /** How a drain ended. */
    public record Summary(int ended, int transfersFinished, int cut, int transfersCut, boolean timedOut) {
    }

    private final LiveSessions sessions;
    private final Runnable stopAccepting;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoTime;
    private final CompletableFuture<Summary> done = new CompletableFuture<>();
    private final List<LiveSessions.Entry> busyAtStart = new ArrayList<>();
    private boolean started;
    private boolean announced;
    private boolean finished;
    private long startNanos;
    private int ended;

    /**
     * @param stopAccepting closes every listener that starts sessions; runs first
     * @param timer runs the drain timeout
     */
    public RelayDrain(LiveSessions sessions, Runnable stopAccepting, ScheduledExecutorService timer,
            LongSupplier nanoTime) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.stopAccepting = Objects.requireNonNull(stopAccepting, "stopAccepting");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Starts draining (once; later calls return the same outcome). */
    public CompletableFuture<Summary> start(String cause, Duration timeout) {
        synchronized (this) {
            if (started) {
                return done;
            }
            started = true;
            startNanos = nanoTime.getAsLong();
        }
        stopAccepting.run();
        List<LiveSessions.Entry> open = sessions.startDraining(REASON, this::closed);
        if (timeout.isZero()) {
            log.warn("draining ({}): no new FTP sessions; --drain-timeout is 0, so the {} open now are closed at once",
                    cause, plural(open.size(), "session"));
            announced = true;
            finish(true);
            return done;
        }
        List<CompletableFuture<Boolean>> surveys = new ArrayList<>();
        for (LiveSessions.Entry entry : open) {
            CompletableFuture<Boolean> busy = entry.drain().drain(REASON).toCompletableFuture();
            busy.thenAccept(b -> {
                if (b) {
                    synchronized (this) {
                        busyAtStart.add(entry);
                    }
                }
            });
            surveys.add(busy);
        }
        CompletableFuture.allOf(surveys.toArray(CompletableFuture[]::new))
                .orTimeout(SURVEY_MILLIS, TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> announce(cause, open.size(), timeout));
        timer.schedule(() -> finish(true), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return done;
    }

    private void announce(String cause, int open, Duration timeout) {
        int busy;
        synchronized (this) {
            busy = busyAtStart.size();
            announced = true;
        }
        log.warn("draining ({}): no new FTP sessions (FTP ports closed, agents stay linked); {} open, {} running a "
                + "transfer or command; idle ones get 421, the others once it ends; waiting up to {} s "
                + "(signal again to stop at once)", cause, plural(open, "session"), busy, timeout.toSeconds());
        if (sessions.size() == 0) {
            finish(false);
        }
    }

    private void closed(LiveSessions.Entry entry) {
        boolean last;
        synchronized (this) {
            ended++;
            last = announced && sessions.size() == 0;
        }
        if (last) {
            finish(false);
        }
    }

    /** The stop comes before the drain ended (a second signal): what is left is cut. */
    public void cut() {
        synchronized (this) {
            if (!started) {
                return;
            }
            announced = true;
        }
        finish(true);
    }

    public synchronized boolean started() {
        return started;
    }

    private void finish(boolean early) {
        Summary summary;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            long transfersCut = busyAtStart.stream().filter(e -> e.channel().isOpen()).count();
            int cut = sessions.size();
            summary = new Summary(ended, busyAtStart.size() - (int) transfersCut, cut, (int) transfersCut,
                    early && cut > 0);
        }
        double seconds = (nanoTime.getAsLong() - startNanos) / 1e9;
        if (summary.cut() == 0) {
            log.warn("drain ended after {} s: {} ended ({} after finishing a transfer or command), none cut",
                    String.format("%.1f", seconds), plural(summary.ended(), "session"), summary.transfersFinished());
        } else {
            log.warn("drain ended after {} s: {} ended ({} after finishing a transfer or command), {} cut ({} in the "
                    + "middle of a transfer or command: their clients see a reset, never a 226)",
                    String.format("%.1f", seconds), plural(summary.ended(), "session"), summary.transfersFinished(),
                    summary.cut(), summary.transfersCut());
        }
        done.complete(summary);
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
