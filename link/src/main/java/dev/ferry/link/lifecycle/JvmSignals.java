package dev.ferry.link.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * SIGTERM and SIGINT of this process, through the JDK's {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}): the only way to survive the first signal, drain, and still see a second
 * one. While handled, a signal no longer starts the JVM's shutdown: the program decides its exit
 * status. Closing the handle puts the previous handlers back.
 */
@SuppressWarnings("restriction")
public final class JvmSignals implements Signals {
    @Override
    public AutoCloseable onTermination(Consumer<String> handler) {
        List<sun.misc.Signal> signals = new ArrayList<>();
        List<sun.misc.SignalHandler> previous = new ArrayList<>();
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            signals.add(signal);
            previous.add(sun.misc.Signal.handle(signal, s -> handler.accept(s.getName())));
        }
        return () -> {
            for (int i = 0; i < signals.size(); i++) {
                sun.misc.Signal.handle(signals.get(i), previous.get(i));
            }
        };
    }
}
