package io.gpubroker.sim.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Simulated time: {@code origin + (wall clock - epoch) * scale}, the same formula every broker
 * service uses with the stack's {@code broker.clock.epoch} / {@code broker.clock.origin} /
 * {@code broker.clock.scale}, so a 60x stack runs provider state machines and billing 60x faster,
 * all processes agree on the time, and a restarted stack resumes it instead of going back.
 */
public final class SimClock {
    private final Instant epoch;
    private final Instant origin;
    private final double scale;
    private volatile Duration skew = Duration.ZERO;

    public SimClock(Instant epoch, double scale) {
        this(epoch, epoch, scale);
    }

    public SimClock(Instant epoch, Instant origin, double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("clock scale must be > 0");
        }
        this.epoch = epoch;
        this.origin = origin;
        this.scale = scale;
    }

    public static SimClock system() {
        return new SimClock(Instant.now(), 1.0);
    }

    public Instant now() {
        return at(System.currentTimeMillis()).plus(skew);
    }

    /** Simulated time at wall-clock {@code wallMillis} (without control-API skew). */
    Instant at(long wallMillis) {
        long elapsed = wallMillis - epoch.toEpochMilli();
        return origin.plusMillis(scale == 1.0 ? elapsed : (long) (elapsed * scale));
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
