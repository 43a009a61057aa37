package dev.ferry.link.flow;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every stream of every agent connection is granted, against one {@link MemoryBudget}. A
 * stream is charged the larger of its window and what it holds; it starts at {@link #minWindow()}
 * whatever the budget says (HTTP/2 grants the initial window before anyone can refuse it) and grows
 * only with what {@link #tryCharge} hands out. Thread-safe: connections on every event loop share it.
 */
public final class WindowBudget {
    private final MemoryBudget budget;
    private final int minWindow;
    private final int maxWindow;
    private final AtomicLong charged = new AtomicLong();
    private final AtomicInteger streams = new AtomicInteger();

    /** The window every stream starts with (or the link window, if smaller). */
    public static final int START_WINDOW = 128 << 10;

    /** Streams start at {@link #START_WINDOW} and may grow up to {@code linkWindow}. */
    public static WindowBudget forLink(MemoryBudget budget, dev.ferry.link.LinkWindow linkWindow) {
        return new WindowBudget(budget, Math.min(START_WINDOW, linkWindow.bytes()), linkWindow.bytes());
    }

    /**
     * @param minWindow the window every stream starts with
     * @param maxWindow the most one stream is ever granted ({@code --link-window})
     */
    public WindowBudget(MemoryBudget budget, int minWindow, int maxWindow) {
        if (minWindow <= 0 || minWindow > maxWindow) {
            throw new IllegalArgumentException("window range " + minWindow + ".." + maxWindow);
        }
        this.budget = budget;
        this.minWindow = minWindow;
        this.maxWindow = maxWindow;
    }

    public MemoryBudget budget() {
        return budget;
    }

    public int minWindow() {
        return minWindow;
    }

    public int maxWindow() {
        return maxWindow;
    }

    /** Window bytes currently charged to streams. */
    public long charged() {
        return charged.get();
    }

    /** True while the streams are charged more than the budget allows: windows shrink, none grows. */
    public boolean exceeded() {
        return charged.get() > budget.windowBytes();
    }

    /** Counts a stream in or out of the streams that share the budget. */
    public void streams(int delta) {
        streams.addAndGet(delta);
    }

    /** An equal part of the budget for each open stream, never below {@link #minWindow()}. */
    public long fairShare() {
        return Math.max(minWindow, budget.windowBytes() / Math.max(1, streams.get()));
    }

    /**
     * The largest window a stream may grow to by {@code delta} more bytes: {@link #maxWindow()} while
     * the budget stays under half charged (one fast transfer gets the whole window while few others
     * need memory), else its {@link #fairShare()}.
     */
    public long growthLimit(long delta) {
        return charged.get() + delta <= budget.windowBytes() / 2 ? maxWindow : Math.min(maxWindow, fairShare());
    }

    /** Charges up to {@code wanted} bytes, as much as the budget has left; returns what was charged. */
    public long tryCharge(long wanted) {
        while (true) {
            long now = charged.get();
            long granted = Math.min(wanted, budget.windowBytes() - now);
            if (granted <= 0) {
                return 0;
            }
            if (charged.compareAndSet(now, now + granted)) {
                return granted;
            }
        }
    }

    /** Charges (positive) or returns (negative) bytes whatever the budget: windows the peer already has. */
    public void charge(long delta) {
        charged.addAndGet(delta);
    }
}
