package dev.ferry.link.cli;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * What a long-running command does on SIGTERM or Ctrl-C: one log line saying what will be cut, then
 * the program's own stop, within a deadline. A stop that overruns it is logged and the JVM halted,
 * so a stuck thread never keeps a process (and its ports) alive. The exit status stays the JVM's
 * (143 after SIGTERM, 130 after SIGINT).
 */
public final class StopOnSignal {
    private StopOnSignal() {
    }

    /**
     * Registers the JVM shutdown hook.
     *
     * @param announcement what stopping cuts off, e.g. "3 sessions will be reset"; read when the signal arrives
     */
    public static Thread install(String program, Logger log, Supplier<String> announcement, Runnable stop,
            Duration deadline) {
        Thread hook = new Thread(() -> run(program, log, announcement, stop, deadline), program + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static void run(String program, Logger log, Supplier<String> announcement, Runnable stop,
            Duration deadline) {
        String what;
        try {
            what = announcement.get();
        } catch (RuntimeException e) {
            what = "state unknown (" + e.getMessage() + ")";
        }
        log.warn("{}: received SIGTERM or SIGINT: stopping within {} s; {}", program, deadline.toSeconds(), what);
        Thread stopper = new Thread(stop, program + "-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(deadline.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive()) {
            log.error("{}: did not stop within {} s; halting", program, deadline.toSeconds());
            Runtime.getRuntime().halt(143);
        }
    }
}
