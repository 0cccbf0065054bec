package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/** SSH verified: the session runs and billing starts at started_at, at price_per_hour. Topic session.events, key = session_id. */
public record SessionStarted(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "offer_id", required = true) String offerId,
        @JsonProperty(value = "gpu_type") String gpuType,
        @JsonProperty(value = "gpu_count") int gpuCount,

        @JsonProperty(value = "price_per_hour", required = true)
        BigDecimal pricePerHour,

        @JsonProperty(value = "currency") String currency,
        @JsonProperty(value = "instance_id") String instanceId,
        @JsonProperty(value = "started_at", required = true) Instant startedAt)
        implements BrokerEvent {

    public SessionStarted {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.text(provider, "provider");
        Require.text(offerId, "offer_id");
        Require.nonNegative(pricePerHour, "price_per_hour");
        Require.present(startedAt, "started_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
