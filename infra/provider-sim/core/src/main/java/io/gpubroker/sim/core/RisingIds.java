package io.gpubroker.sim.core;

import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Numeric instance ids that a restarted simulator never hands out again: strictly increasing, and
 * never below {@code first} + the wall clock's count of {@code millisPerId} since 2026-01-01. A new
 * simulator therefore starts above every id its predecessor handed out, unless that one created
 * ids faster than one per {@code millisPerId} for longer than the restart took. Wall clock, not
 * {@link SimClock}: the broker's clock may be set back, the wall clock is not.
 */
public final class RisingIds {
    static final long ORIGIN_MILLIS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private final long first;
    private final long millisPerId;
    private final LongSupplier wallMillis;
    private long last;

    public RisingIds(long first, long millisPerId) {
        this(first, millisPerId, System::currentTimeMillis);
    }

    RisingIds(long first, long millisPerId, LongSupplier wallMillis) {
        if (millisPerId < 1) {
            throw new IllegalArgumentException("millisPerId must be >= 1");
        }
        this.first = first;
        this.millisPerId = millisPerId;
        this.wallMillis = wallMillis;
        this.last = first - 1;
    }

    public synchronized long next() {
        long byClock = first + Math.max(0, (wallMillis.getAsLong() - ORIGIN_MILLIS) / millisPerId);
        last = Math.max(last + 1, byClock);
        return last;
    }

    /** {@link #next()} for providers whose ids are 32-bit integers (with 100 ms per id: fits until about 2032). */
    public int nextInt() {
        return Math.toIntExact(next());
    }
}
