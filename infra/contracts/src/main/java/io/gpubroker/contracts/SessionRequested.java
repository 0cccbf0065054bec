package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/** A user asked for a session on an offer; the provisioning saga starts from here. */
public record SessionRequested(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "offer_id", required = true) String offerId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("gpu_count") int gpuCount,

        @JsonProperty(value = "price_per_hour", required = true)
        BigDecimal pricePerHour,

        @JsonProperty("currency") String currency,
        @JsonProperty("reservation_hours") int reservationHours,
        @JsonProperty("workload_type") String workloadType,

        @JsonProperty(value = "requested_at", required = true)
        Instant requestedAt)
        implements BrokerEvent {

    public SessionRequested {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.text(offerId, "offer_id");
        Require.text(provider, "provider");
        Require.nonNegative(pricePerHour, "price_per_hour");
        Require.present(requestedAt, "requested_at");
        if (currency == null) {
            currency = "USD";
        }
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
