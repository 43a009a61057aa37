package dev.ferry.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What an operator reads in the log: the events of one logger (and those below it) while open. */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures {@code name}'s events ({@code "ROOT"} for every logger). */
    static LogCapture of(String name) {
        return new LogCapture((Logger) LoggerFactory.getLogger(name));
    }

    static LogCapture of(Class<?> type) {
        return of(type.getName());
    }

    /** Formatted messages at {@code level} or above, in order. */
    List<String> lines(Level level) {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Events at {@code level} or above that carry a stack trace. */
    long withStackTraces(Level level) {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
                    .filter(e -> e.getThrowableProxy() != null).count();
        }
    }

    boolean contains(Level level, String text) {
        return lines(level).stream().anyMatch(l -> l.contains(text));
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
