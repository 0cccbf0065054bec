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

    /** {@code GET /costs/drift}: the latest measurement per provider. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Report(BigDecimal targetRatio, List<ProviderDrift> providers) {}
}
