package dev.ferry.link.flow;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes the receive window of every stream of one agent-link connection against the shared
 * {@link WindowBudget}, on the connection's event loop, every {@value #TICK_MILLIS} ms.
 *
 * <p>A stream starts at the budget's minimum window (the HTTP/2 initial window) and its window
 * grows fourfold each tick while it moves data and drains: the peer has used an eighth of it since
 * its last update and the receiver holds at most a quarter (gRPC returns window only as the socket
 * behind the stream asks for more). A stream
 * whose receiver stopped holds its window full: after {@value #FULL_TICKS} such ticks its window is
 * halved, tick by tick, down to the minimum, so what it may take when it resumes shrinks; what it
 * already holds stays charged until it is delivered or the stream closes. An idle stream shrinks the
 * same way. While the budget is exceeded no window grows and windows above an equal share shrink.
 *
 * <p>The connection window stays {@code maxWindow}: gRPC refills it as frames arrive, so a stream
 * that holds its window never holds back the others.
 */
public final class StreamWindows {
    private static final Logger log = LoggerFactory.getLogger(StreamWindows.class);
    static final long TICK_MILLIS = 50;
    static final int GROWTH = 4;
    static final int FULL_TICKS = 4;
    static final int IDLE_TICKS = 20;

    private final Channel channel;
    private final Http2ConnectionHandler handler;
    private final WindowBudget budget;
    private final Http2Connection connection;
    private Http2Connection.PropertyKey key;
    private ScheduledFuture<?> tick;
    private boolean started;
    private boolean closed;

    /** Per-stream bookkeeping, on the event loop only. */
    private static final class State {
        long charge;
        int fullTicks;
        int idleTicks;
    }

    private StreamWindows(Channel channel, Http2ConnectionHandler handler, WindowBudget budget) {
        this.channel = channel;
        this.handler = handler;
        this.budget = budget;
        this.connection = handler.connection();
    }

    /** Starts governing {@code handler}'s streams; stops and returns every charge when the channel closes. */
    public static void attach(Channel channel, Http2ConnectionHandler handler, WindowBudget budget) {
        StreamWindows windows = new StreamWindows(channel, handler, budget);
        channel.eventLoop().execute(windows::start);
    }

    private void start() {
        key = connection.newKey();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                release(stream);
            }
        });
        tick = channel.eventLoop().scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(f -> channel.eventLoop().execute(this::close));
    }

    private void tick() {
        if (closed || channel.pipeline().context(handler) == null) {
            return; // the HTTP/2 handler is not in place yet (TLS still negotiating)
        }
        Http2LocalFlowController flow = handler.decoder().flowController();
        try {
            if (!started) {
                started = true;
                Http2Stream whole = connection.connectionStream();
                flow.incrementWindowSize(whole, budget.maxWindow() - flow.initialWindowSize(whole));
                log.debug("{}: connection window {}, streams start at {}", channel.remoteAddress(),
                        flow.initialWindowSize(whole), flow.initialWindowSize());
            }
            connection.forEachActiveStream(stream -> {
                if (stream.id() != Http2CodecUtil.CONNECTION_STREAM_ID) {
                    adjust(stream, flow);
                }
                return true;
            });
        } catch (Http2Exception | RuntimeException e) {
            log.debug("cannot size stream windows: {}", e.toString());
        }
        channel.flush();
    }

    private void adjust(Http2Stream stream, Http2LocalFlowController flow) throws Http2Exception {
        State state = stream.getProperty(key);
        if (state == null) {
            state = new State();
            stream.setProperty(key, state);
            budget.streams(1);
        }
        int window = flow.initialWindowSize(stream);
        int held = flow.unconsumedBytes(stream);
        int used = window - flow.windowSize(stream);
        int next = window;
        state.fullTicks = held > 0 && held >= window / 2 ? state.fullTicks + 1 : 0;
        state.idleTicks = used == 0 && held == 0 ? state.idleTicks + 1 : 0;
        if (state.fullTicks >= FULL_TICKS || state.idleTicks >= IDLE_TICKS) {
            next = Math.max(budget.minWindow(), window / 2);
        } else if (budget.exceeded()) {
            next = (int) Math.max(Math.max(budget.minWindow(), window / 2), Math.min(window, budget.fairShare()));
        } else if (used >= window / 8 && held <= window / 4 && window < budget.maxWindow()) {
            long wanted = Math.min((long) budget.maxWindow(), (long) window * GROWTH) - window;
            long target = Math.min(window + wanted, budget.growthLimit(wanted));
            long granted = target > window ? budget.tryCharge(target - window) : 0;
            state.charge += granted;
            next = window + (int) granted;
        }
        if (next != window) {
            flow.incrementWindowSize(stream, next - window);
            if (log.isDebugEnabled()) {
                log.debug("{} stream {}: window {} -> {}, holds {}, budget charged {} of {}", channel.remoteAddress(),
                        stream.id(), window, next, held, budget.charged(), budget.budget().windowBytes());
            }
        }
        settle(stream, state, flow);
    }

    /** Charges the stream what it may hold now: its window, or more while a shrunk window still has bytes out. */
    private void settle(Http2Stream stream, State state, Http2LocalFlowController flow) {
        long exposure = Math.max(flow.initialWindowSize(stream),
                (long) flow.unconsumedBytes(stream) + Math.max(0, flow.windowSize(stream)));
        budget.charge(exposure - state.charge);
        state.charge = exposure;
    }

    private void release(Http2Stream stream) {
        State state = key == null ? null : stream.getProperty(key);
        if (state != null && !closed) {
            budget.charge(-state.charge);
            budget.streams(-1);
            state.charge = 0;
            stream.removeProperty(key);
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        try {
            connection.forEachActiveStream(stream -> {
                release(stream);
                return true;
            });
        } catch (Http2Exception e) {
            log.debug("cannot release stream windows: {}", e.toString());
        }
        closed = true;
        if (tick != null) {
            tick.cancel(false);
        }
    }
}
