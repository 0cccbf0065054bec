package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/** A catalogued offer's hourly price changed between two complete snapshots. Key = offer id. */
public record OfferPriceChanged(
        @JsonProperty(value = "offer_id", required = true) String offerId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("gpu_type") String gpuType,

        @JsonProperty(value = "old_price_per_hour", required = true)
        BigDecimal oldPricePerHour,

        @JsonProperty(value = "new_price_per_hour", required = true)
        BigDecimal newPricePerHour,

        @JsonProperty("currency") String currency,
        @JsonProperty(value = "changed_at", required = true) Instant changedAt)
        implements BrokerEvent {

    public OfferPriceChanged {
        Require.text(offerId, "offer_id");
        Require.text(provider, "provider");
        Require.nonNegative(oldPricePerHour, "old_price_per_hour");
        Require.nonNegative(newPricePerHour, "new_price_per_hour");
        Require.present(changedAt, "changed_at");
        if (currency == null) {
            currency = "USD";
        }
    }

    @Override
    public String aggregateId() {
        return offerId;
    }
}
