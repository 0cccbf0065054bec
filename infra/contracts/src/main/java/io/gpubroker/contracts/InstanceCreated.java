package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * An instance the broker caused to exist: the provider bills it from {@code created_at} until an
 * {@link InstanceGone} confirms it gone, whether or not a session ever ran on it. {@code kind} is
 * {@code attempt} (the answer to a session's current create), {@code unwanted} (an earlier
 * attempt's, or created after the session ended; destroyed at once) or {@code orphan} (found in a
 * provider listing without a session that wants it). {@code price_per_hour} is null where the
 * broker cannot tell the instance's offer. Topic session.events, key = session_id.
 */
public record InstanceCreated(
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "instance_id", required = true)
        String instanceId,

        @JsonProperty(value = "kind", required = true) String kind,
        @JsonProperty("offer_id") String offerId,
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("price_per_hour") BigDecimal pricePerHour,
        @JsonProperty("currency") String currency,
        @JsonProperty(value = "created_at", required = true) Instant createdAt)
        implements BrokerEvent {

    /** The answer to the session's current create. */
    public static final String ATTEMPT = "attempt";
    /** Created for an attempt the session had left, or after it ended: destroyed at once. */
    public static final String UNWANTED = "unwanted";
    /** Listed by the provider without a session that wants it. */
    public static final String ORPHAN = "orphan";

    public InstanceCreated {
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(instanceId, "instance_id");
        Require.text(kind, "kind");
        Require.present(createdAt, "created_at");
        if (pricePerHour != null) {
            Require.nonNegative(pricePerHour, "price_per_hour");
        }
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
