package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A reconciliation found the ledger and a provider's billing further apart than the configured
 * threshold: |drift_ratio| &gt; threshold_ratio over the matched instances. Raised on every
 * measurement above it (a subscriber alerts on the first and may clear on the next
 * ProviderDriftMeasured within it). Topic cost.events, key = provider.
 */
public record ProviderDriftAlert(
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "drift_ratio", required = true)
        BigDecimal driftRatio,

        @JsonProperty(value = "threshold_ratio", required = true)
        BigDecimal thresholdRatio,

        @JsonProperty(value = "broker_cost", required = true)
        BigDecimal brokerCost,

        @JsonProperty(value = "provider_cost", required = true)
        BigDecimal providerCost,

        @JsonProperty(value = "currency", required = true) String currency,

        @JsonProperty(value = "measured_at", required = true)
        Instant measuredAt)
        implements BrokerEvent {

    public ProviderDriftAlert {
        Require.text(provider, "provider");
        Require.present(driftRatio, "drift_ratio");
        Require.nonNegative(thresholdRatio, "threshold_ratio");
        Require.nonNegative(brokerCost, "broker_cost");
        Require.nonNegative(providerCost, "provider_cost");
        Require.text(currency, "currency");
        Require.present(measuredAt, "measured_at");
    }

    @Override
    public String aggregateId() {
        return provider;
    }
}
