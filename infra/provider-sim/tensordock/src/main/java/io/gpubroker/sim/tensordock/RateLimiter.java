package io.gpubroker.sim.tensordock;

/**
 * TensorDock's documented 100 requests/minute per organization, as a fixed one-minute window in
 * real time (the provider counts wall-clock requests, whatever the simulated clock does).
 * Used only from the event loop.
 */
final class RateLimiter {
    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final int perMinute;
    private long windowStart = System.nanoTime();
    private int used;

    RateLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    boolean enabled() {
        return perMinute > 0;
    }

    int limit() {
        return perMinute;
    }

    /** Counts one request; false when the window's budget is spent. */
    boolean tryAcquire() {
        roll();
        if (used >= perMinute) {
            return false;
        }
        used++;
        return true;
    }

    int remaining() {
        roll();
        return Math.max(0, perMinute - used);
    }

    /** Whole seconds until the window resets (at least 1). */
    int secondsToReset() {
        long left = WINDOW_NANOS - (System.nanoTime() - windowStart);
        return (int) Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }

    private void roll() {
        long now = System.nanoTime();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            used = 0;
        }
    }
}
