package io.gpubroker.inventory.catalog;

/**
 * The broker's provisioning history projected onto one {@link CatalogIndex}: per position, the
 * confidence factor from recent failures and the time (epoch ms) until which the offer is suppressed.
 */
public final class HealthOverlay {
    final double[] factor;
    final long[] suppressedUntil;

    public HealthOverlay(double[] factor, long[] suppressedUntil) {
        this.factor = factor;
        this.suppressedUntil = suppressedUntil;
    }

    /** Offers suppressed at {@code now}. */
    public int suppressedCount(long now) {
        int n = 0;
        for (long u : suppressedUntil) {
            if (u > now) {
                n++;
            }
        }
        return n;
    }
}
