package io.gpubroker.billing.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One measurement of a provider's billing against the ledger: status {@code ok}, {@code no_data}
 * or {@code error} (the provider's billing could not be read: unknown, never zero).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProviderDrift(
        String provider,
        String status,
        BigDecimal driftRatio,
        BigDecimal brokerCost,
        BigDecimal providerCost,
        int instances,
        int unmatched,
        int skipped,
        Instant measuredAt,
        String detail) {

    /**
     * {@code GET /costs/drift}: the latest measurement per provider, and per provider and UTC day the
     * day's last real measurement (broker vs provider total over the reconciliation window, in money and percent).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Report(
            BigDecimal targetRatio, BigDecimal alertThreshold, List<ProviderDrift> providers, List<Day> days) {}

    /** One provider's day: {@code drift = broker - provider}, {@code drift_percent = drift / provider * 100}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Day(
            String provider,
            String day,
            BigDecimal brokerCost,
            BigDecimal providerCost,
            BigDecimal drift,
            BigDecimal driftPercent,
            int instances,
            boolean alerted,
            Instant measuredAt) {}
}
