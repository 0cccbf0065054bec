package io.gpubroker.provider.resilience;

import java.time.Duration;

/**
 * A provider's own request pace: at most {@code perSecond} calls (spaced evenly), and a pause
 * after a 429 — the provider's Retry-After when sent, else a doubling back-off — that every caller
 * waits out. Blocking: callers are worker threads.
 */
public final class Throttle {
    private final long spacingNanos;
    private final Duration baseBackoff;
    private final Duration maxBackoff;
    private long nextSlot;
    private long pausedUntil;
    private Duration lastBackoff;

    public Throttle(double perSecond, Duration baseBackoff, Duration maxBackoff) {
        this.spacingNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
        this.baseBackoff = baseBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Waits for this caller's slot; returns how long it waited. */
    public Duration acquire() throws InterruptedException {
        long wakeAt;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextSlot);
            slot = Math.max(slot, pausedUntil);
            nextSlot = slot + spacingNanos;
            wakeAt = slot;
        }
        long wait = wakeAt - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            return Duration.ofNanos(wait);
        }
        return Duration.ZERO;
    }

    /** The provider said 429: pause everyone for Retry-After, or back off exponentially without it. */
    public synchronized Duration rateLimited(Duration retryAfter) {
        Duration pause;
        if (retryAfter != null && !retryAfter.isNegative() && !retryAfter.isZero()) {
            pause = retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
        } else {
            pause = lastBackoff == null ? baseBackoff : lastBackoff.multipliedBy(2);
            if (pause.compareTo(maxBackoff) > 0) {
                pause = maxBackoff;
            }
        }
        lastBackoff = pause;
        pausedUntil = Math.max(pausedUntil, System.nanoTime() + pause.toNanos());
        return pause;
    }

    /** A call got through: the next 429 starts from the base back-off again. */
    public synchronized void succeeded() {
        lastBackoff = null;
    }
}
