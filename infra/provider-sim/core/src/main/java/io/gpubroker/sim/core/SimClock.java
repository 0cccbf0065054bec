package io.gpubroker.sim.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Simulated time: {@code epoch + (wall clock - epoch) * scale}, the same formula every broker
 * service uses with the stack's {@code broker.clock.epoch} / {@code broker.clock.scale}, so a 60x
 * stack runs provider state machines and billing 60x faster and all processes agree on the time.
 */
public final class SimClock {
    private final Instant epoch;
    private final double scale;
    private volatile Duration skew = Duration.ZERO;

    public SimClock(Instant epoch, double scale) {
        if (scale <= 0) {
            throw new IllegalArgumentException("clock scale must be > 0");
        }
        this.epoch = epoch;
        this.scale = scale;
    }

    public static SimClock system() {
        return new SimClock(Instant.now(), 1.0);
    }

    public Instant now() {
        long realElapsedMillis = System.currentTimeMillis() - epoch.toEpochMilli();
        return epoch.plusMillis((long) (realElapsedMillis * scale)).plus(skew);
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
