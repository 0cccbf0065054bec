package io.gpubroker.inventory.catalog;

import java.util.Arrays;

/**
 * The broker's provisioning history projected onto one {@link CatalogIndex}: per position, the
 * confidence factor from recent failures and the time (epoch ms) until which the offer is suppressed.
 */
public final class HealthOverlay {
    final double[] factor;
    final long[] suppressedUntil;
    /** The distinct suppression ends, ascending. */
    private final long[] ends;

    public HealthOverlay(double[] factor, long[] suppressedUntil) {
        this.factor = factor;
        this.suppressedUntil = suppressedUntil;
        long[] set = new long[16];
        int k = 0;
        for (long u : suppressedUntil) {
            if (u > 0) { // most offers are not suppressed
                if (k == set.length) {
                    set = Arrays.copyOf(set, k * 2);
                }
                set[k++] = u;
            }
        }
        Arrays.sort(set, 0, k);
        int n = 0;
        for (int i = 0; i < k; i++) {
            if (n == 0 || set[n - 1] != set[i]) {
                set[n++] = set[i];
            }
        }
        this.ends = Arrays.copyOf(set, n);
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

    /** The first time after {@code now} at which some suppression ends (an offer comes back); MAX_VALUE if none. */
    public long nextSuppressionEndAfter(long now) {
        int i = Arrays.binarySearch(ends, now);
        i = i >= 0 ? i + 1 : -i - 1;
        return i < ends.length ? ends[i] : Long.MAX_VALUE;
    }

    /** Same factors and suppressions for the same positions: searches may keep what they derived from {@code other}. */
    public boolean sameAs(HealthOverlay other) {
        return other != null
                && Arrays.equals(factor, other.factor)
                && Arrays.equals(suppressedUntil, other.suppressedUntil);
    }
}
