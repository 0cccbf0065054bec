package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/** An offer entered the broker's catalog (first seen in a complete provider snapshot). Key = offer id. */
public record OfferPublished(
        @JsonProperty(value = "offer_id", required = true) String offerId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty(value = "gpu_type", required = true) String gpuType,
        @JsonProperty("gpu_count") int gpuCount,
        @JsonProperty("vram_gb") int vramGb,

        @JsonProperty(value = "price_per_hour", required = true)
        BigDecimal pricePerHour,

        @JsonProperty("currency") String currency,
        @JsonProperty("location") String location,

        @JsonProperty(value = "published_at", required = true)
        Instant publishedAt)
        implements BrokerEvent {

    public OfferPublished {
        Require.text(offerId, "offer_id");
        Require.text(provider, "provider");
        Require.text(gpuType, "gpu_type");
        Require.nonNegative(pricePerHour, "price_per_hour");
        Require.present(publishedAt, "published_at");
        if (currency == null) {
            currency = "USD";
        }
    }

    @Override
    public String aggregateId() {
        return offerId;
    }
}
