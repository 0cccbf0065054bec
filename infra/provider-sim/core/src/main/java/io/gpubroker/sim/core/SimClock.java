package io.gpubroker.sim.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Simulated time: {@code epoch + (real elapsed) * scale}, shared with the broker's clock setting
 * so a 60x stack runs provider state machines and billing 60x faster too.
 */
public final class SimClock {
    private final Instant epoch;
    private final long realStartNanos;
    private final double scale;
    private volatile Duration skew = Duration.ZERO;

    public SimClock(Instant epoch, double scale) {
        if (scale <= 0) {
            throw new IllegalArgumentException("clock scale must be > 0");
        }
        this.epoch = epoch;
        this.scale = scale;
        this.realStartNanos = System.nanoTime();
    }

    public static SimClock system() {
        return new SimClock(Instant.now(), 1.0);
    }

    public Instant now() {
        long realElapsed = System.nanoTime() - realStartNanos;
        return epoch.plusNanos((long) (realElapsed * scale)).plus(skew);
    }

    public double scale() {
        return scale;
    }

    /** Real milliseconds to wait for {@code simulated} to pass (at least 1 ms). */
    public long realMillis(Duration simulated) {
        return Math.max(1L, (long) (simulated.toMillis() / scale));
    }

    /** Moves simulated time forward (control API); timers already scheduled are not re-timed. */
    public void advance(Duration d) {
        skew = skew.plus(d);
    }
}
