package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Billing compared its ledger with what a provider reports for the same instances:
 * {@code drift_ratio} = (broker_cost − provider_cost) / provider_cost over {@code instances}
 * matched instances ({@code unmatched} the provider did not report). Topic cost.events, key = provider.
 */
public record ProviderDriftMeasured(
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "broker_cost", required = true)
        BigDecimal brokerCost,

        @JsonProperty(value = "provider_cost", required = true)
        BigDecimal providerCost,

        @JsonProperty(value = "drift_ratio") BigDecimal driftRatio,
        @JsonProperty(value = "instances") int instances,
        @JsonProperty(value = "unmatched") int unmatched,
        @JsonProperty(value = "currency", required = true) String currency,

        @JsonProperty(value = "measured_at", required = true)
        Instant measuredAt)
        implements BrokerEvent {

    public ProviderDriftMeasured {
        Require.text(provider, "provider");
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
