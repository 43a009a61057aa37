package dev.ferry.link.lifecycle;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;

/**
 * What a long-running command does on SIGTERM or Ctrl-C: the first signal drains the program (it
 * stops taking new work and lets running work finish, up to the drain timeout), then stops it; a
 * second signal stops it at once. The exit status is 0 after a drain, 128 + the signal's number
 * (143 for SIGTERM, 130 for SIGINT) after a second signal. A stop that overruns its deadline is
 * logged and the JVM halted, so a stuck thread never keeps a process (and its ports) alive.
 */
public final class GracefulStop implements AutoCloseable {
    private final String program;
    private final Logger log;
    private final Drainable target;
    private final Duration drainTimeout;
    private final Duration stopDeadline;
    private final IntConsumer halt;
    private final AtomicInteger signals = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile int exitStatus;
    private volatile AutoCloseable listening;

    /**
     * @param drainTimeout how long running work may take to finish after the first signal (zero: none)
     * @param stopDeadline how long the stop itself may take before the JVM is halted
     * @param halt ends the process with a status when the stop overran ({@code Runtime.getRuntime()::halt})
     */
    public GracefulStop(String program, Logger log, Drainable target, Duration drainTimeout, Duration stopDeadline,
            IntConsumer halt) {
        this.program = Objects.requireNonNull(program, "program");
        this.log = Objects.requireNonNull(log, "log");
        this.target = Objects.requireNonNull(target, "target");
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.stopDeadline = Objects.requireNonNull(stopDeadline, "stopDeadline");
        this.halt = Objects.requireNonNull(halt, "halt");
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drain timeout must not be negative, got " + drainTimeout);
        }
    }

    /** A launcher's: the JVM's signals, halting the JVM when a stop overruns. */
    public static GracefulStop install(String program, Logger log, Drainable target, Duration drainTimeout,
            Duration stopDeadline) {
        GracefulStop stop = new GracefulStop(program, log, target, drainTimeout, stopDeadline,
                Runtime.getRuntime()::halt);
        stop.listenTo(new JvmSignals());
        return stop;
    }

    public GracefulStop listenTo(Signals source) {
        listening = source.onTermination(this::signalled);
        return this;
    }

    /** Stops listening for signals (after a normal end, e.g. a test calling the command in-process). */
    @Override
    public void close() {
        AutoCloseable l = listening;
        listening = null;
        if (l != null) {
            try {
                l.close();
            } catch (Exception e) {
                log.debug("{}: cannot restore the signal handlers: {}", program, e.toString());
            }
        }
    }

    /** A termination signal arrived ("TERM", "INT"). Returns at once; the work runs on a thread of its own. */
    public void signalled(String signal) {
        int n = signals.incrementAndGet();
        if (n == 1) {
            exitStatus = 0;
            start(() -> drainThenStop("SIG" + signal), "drain");
        } else if (n == 2) {
            exitStatus = 128 + number(signal);
            log.warn("{}: second SIG{}: stopping now", program, signal);
            start(this::stopOnce, "stop");
        }
        // later signals: the stop is under way already
    }

    /** True once a signal has arrived. */
    public boolean signalled() {
        return signals.get() > 0;
    }

    /** Waits until a signal has stopped the program; its exit status. */
    public int awaitExit() throws InterruptedException {
        stopped.await();
        return exitStatus;
    }

    private void drainThenStop(String cause) {
        try {
            target.drain(cause, drainTimeout).toCompletableFuture()
                    .get(drainTimeout.toMillis() + stopDeadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("{}: the drain did not end within its timeout; stopping", program);
        } catch (Exception e) {
            log.warn("{}: the drain failed ({}); stopping", program, e.toString());
        }
        stopOnce();
    }

    private void stopOnce() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        Thread stopper = new Thread(() -> {
            try {
                target.stop();
            } finally {
                stopped.countDown();
            }
        }, program + "-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            if (!stopped.await(stopDeadline.toMillis(), TimeUnit.MILLISECONDS)) {
                log.error("{}: did not stop within {} s; halting", program, stopDeadline.toSeconds());
                halt.accept(exitStatus == 0 ? 1 : exitStatus);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void start(Runnable work, String what) {
        Thread t = new Thread(work, program + "-" + what);
        t.setDaemon(true);
        t.start();
    }

    private static int number(String signal) {
        return switch (signal) {
            case "INT" -> 2;
            default -> 15; // TERM
        };
    }
}
