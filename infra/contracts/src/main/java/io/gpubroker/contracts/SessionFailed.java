package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** The session failed. If it had started, ended_at is when billing stops (its instance is confirmed gone). Topic session.events, key = session_id. */
public record SessionFailed(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "offer_id") String offerId,
        @JsonProperty(value = "instance_id") String instanceId,
        @JsonProperty(value = "reason", required = true) String reason,
        @JsonProperty(value = "error_class") String errorClass,
        @JsonProperty(value = "started_at") Instant startedAt,
        @JsonProperty(value = "ended_at") Instant endedAt,
        @JsonProperty(value = "failed_at", required = true) Instant failedAt)
        implements BrokerEvent {

    public SessionFailed {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.text(provider, "provider");
        Require.text(reason, "reason");
        Require.present(failedAt, "failed_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
