package dev.ferry.link.lifecycle;

import java.util.function.Consumer;

/** Where termination signals come from: the JVM's in a launcher, a test's hand in a test. */
@FunctionalInterface
public interface Signals {
    /**
     * Calls {@code handler} with the signal's name ("TERM", "INT") each time one arrives, on a thread
     * of its own, until the returned handle is closed.
     */
    AutoCloseable onTermination(Consumer<String> handler);
}
