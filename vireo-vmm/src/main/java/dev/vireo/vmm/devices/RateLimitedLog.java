package dev.vireo.vmm.devices;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Counts events a misbehaving guest can cause at will and logs them without letting the guest
 * flood the host's log: at most {@code burst} lines per interval; the next line allowed says
 * how many were left out meanwhile. The clock is injected so tests need no sleeping.
 */
public final class RateLimitedLog {
    private final Consumer<String> log;
    private final LongSupplier nanoClock;
    private final int burst;
    private final long intervalNanos;
    private long count, suppressed, windowStart;
    private int inWindow;
    private boolean started;

    public RateLimitedLog(Consumer<String> log, LongSupplier nanoClock, int burst, long intervalNanos) {
        if (burst <= 0 || intervalNanos <= 0) throw new IllegalArgumentException("burst and interval must be positive");
        this.log = log;
        this.nanoClock = nanoClock;
        this.burst = burst;
        this.intervalNanos = intervalNanos;
    }

    /** Ten lines a second, on the monotonic clock. */
    public static RateLimitedLog perSecond(Consumer<String> log) {
        return new RateLimitedLog(log, System::nanoTime, 10, 1_000_000_000L);
    }

    /** Counts the event and logs {@code message} unless this interval's lines are used up. */
    public synchronized void report(String message) {
        count++;
        long now = nanoClock.getAsLong();
        if (!started || now - windowStart >= intervalNanos) {
            started = true;
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow == burst) {
            suppressed++;
            return;
        }
        inWindow++;
        String line = message + " (" + count + " so far"
                + (suppressed > 0 ? ", " + suppressed + " more not logged" : "") + ")";
        suppressed = 0;
        log.accept(line);
    }

    /** Events reported so far, logged or not. */
    public synchronized long count() {
        return count;
    }
}
