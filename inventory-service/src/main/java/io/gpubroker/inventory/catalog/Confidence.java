package io.gpubroker.inventory.catalog;

/**
 * Availability confidence (0-1): how likely provisioning this offer works right now.
 * {@code reliability x freshness x history}, 0 when the provider says unavailable or the broker
 * suppressed it. Reliability is the provider's score (0.8 when it publishes none). Freshness falls
 * linearly from 1 to 0.8 as the offer ages to {@code stale-after}, then as {@code 0.8 x staleAfter/age}
 * (floor 0.2): an old catalog advertises capacity that may be gone (TensorDock BUG-010). History is
 * the broker's own record: x0.6 per recent failure of this offer, x0.8 per failure on its machine,
 * x0.9 per failure of its provider + GPU type (see {@code OfferHealth}).
 */
public final class Confidence {
    public static final double DEFAULT_RELIABILITY = 0.8;

    private Confidence() {}

    public static double of(
            double reliability,
            boolean available,
            long ageMillis,
            long staleAfterMillis,
            double historyFactor,
            boolean suppressed) {
        if (!available || suppressed) {
            return 0.0;
        }
        double base = Double.isNaN(reliability) ? DEFAULT_RELIABILITY : Math.max(0, Math.min(1, reliability));
        double age = Math.max(0, ageMillis);
        double fresh = age <= staleAfterMillis
                ? 1.0 - 0.2 * (age / staleAfterMillis)
                : Math.max(0.2, 0.8 * staleAfterMillis / age);
        return Math.round(base * fresh * historyFactor * 1000.0) / 1000.0;
    }
}
