package dev.ferry.relay.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The access log: one JSON object per line (written by Jackson), per session when it ends, per
 * data transfer, per login and per refused client. Written through a Logback context of its own
 * (not the process's logging), to a {@link RollingFileAppender} that rolls the file over at
 * {@code maxFileSize} and keeps {@code files} old ones ({@code FILE.1} newest).
 */
public final class AccessLog implements AutoCloseable {
    /** The logger name, for anyone who configures Logback by hand. */
    public static final String LOGGER = "ferry.access";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AccessLog.class);
    private final LoggerContext context;
    private final ch.qos.logback.classic.Logger logger;
    private final JsonFactory json = new JsonFactory();

    private AccessLog(LoggerContext context, ch.qos.logback.classic.Logger logger) {
        this.context = context;
        this.logger = logger;
    }

    /** Opens (appends to) {@code file}; rolls over at {@code maxFileSize}, keeping {@code files} old files. */
    public static AccessLog open(Path file, long maxFileSize, int files) {
        LoggerContext context = new LoggerContext();
        context.setName("ferry-access-log");
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        // Logback reports a failed write (disk full, file removed) as a status: the regular log says so.
        context.getStatusManager().add((ch.qos.logback.core.status.StatusListener) status -> {
            if (status.getLevel() >= ch.qos.logback.core.status.Status.WARN) {
                log.warn("access log {}: {}", file, status.getMessage());
            }
        });
        context.start();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("access");
        appender.setFile(file.toString());
        appender.setAppend(true);
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(files);
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(new FileSize(maxFileSize));
        // Logback looks at the size at most once a minute by default; a line per session or transfer is rare
        // enough to look every time, so a file never grows much past the limit.
        trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
        trigger.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        appender.setEncoder(encoder);
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.start();
        if (!appender.isStarted()) {
            context.stop();
            throw new IllegalArgumentException("--access-log: cannot write " + file);
        }
        ch.qos.logback.classic.Logger logger = context.getLogger(LOGGER);
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        // Lines are written by the async appender's thread, not by the event loops that make them; it
        // drops nothing (discarding threshold 0) and blocks a loop only when 8,192 lines wait for the disk.
        ch.qos.logback.classic.AsyncAppender async = new ch.qos.logback.classic.AsyncAppender();
        async.setContext(context);
        async.setName("access-log");
        async.setQueueSize(8192);
        async.setDiscardingThreshold(0);
        async.setMaxFlushTime(5000);
        async.addAppender(appender);
        async.start();
        logger.addAppender(async);
        return new AccessLog(context, logger);
    }

    void session(SessionRecord s) {
        write(g -> {
            head(g, s.time(), "session");
            g.writeStringField("session", s.sessionId());
            g.writeStringField("tunnel", s.tunnel());
            g.writeStringField("client", s.client());
            g.writeStringField("user", s.user());
            g.writeStringField("outcome", s.outcome().label());
            g.writeNumberField("duration_ms", s.duration().toMillis());
            g.writeNumberField("logins_failed", s.loginsFailed());
            g.writeNumberField("transfers", s.transfers());
            g.writeNumberField("bytes_to_client", s.bytesToClient());
            g.writeNumberField("bytes_from_client", s.bytesFromClient());
        });
    }

    void transfer(TransferRecord t) {
        write(g -> {
            head(g, t.time(), t.isTransfer() ? "transfer" : "data_command");
            g.writeStringField("session", t.sessionId());
            g.writeStringField("tunnel", t.tunnel());
            g.writeStringField("client", t.client());
            g.writeStringField("user", t.user());
            g.writeStringField("command", t.command());
            g.writeStringField(t.isTransfer() ? "path" : "argument", t.path());
            g.writeStringField("mode", t.mode().label());
            g.writeNumberField("bytes_to_client", t.bytesToClient());
            g.writeNumberField("bytes_from_client", t.bytesFromClient());
            g.writeNumberField("duration_ms", t.duration().toMillis());
            g.writeNumberField("code", t.code());
            if (t.reply() != null) {
                g.writeStringField("reply", t.reply());
            }
            if (t.cause() != null) {
                g.writeStringField("cause", t.cause());
            }
            if (t.detail() != null) {
                g.writeStringField("detail", t.detail());
            }
        });
    }

    void login(Instant time, ObservedSession s, boolean ok, int code, String reply) {
        write(g -> {
            head(g, time, "login");
            g.writeStringField("session", s.id());
            g.writeStringField("tunnel", s.tunnel());
            g.writeStringField("client", s.client());
            g.writeStringField("user", s.user());
            g.writeStringField("result", ok ? "ok" : "failed");
            g.writeNumberField("code", code);
            g.writeStringField("reply", reply);
        });
    }

    void refused(Instant time, String tunnel, String client, RefusalReason reason) {
        write(g -> {
            head(g, time, "refused");
            if (tunnel != null) {
                g.writeStringField("tunnel", tunnel);
            }
            g.writeStringField("client", client);
            g.writeStringField("reason", reason.label());
        });
    }

    private static void head(JsonGenerator g, Instant time, String event) throws IOException {
        g.writeStringField("time", time.toString());
        g.writeStringField("event", event);
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private void write(Fields fields) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        logger.info("{}", out);
    }

    @Override
    public void close() {
        context.stop();
    }
}
