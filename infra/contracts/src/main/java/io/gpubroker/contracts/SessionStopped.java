package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** The provider confirmed the instance is gone; billing ends at stopped_at exactly. Topic session.events, key = session_id. */
public record SessionStopped(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "instance_id") String instanceId,
        @JsonProperty(value = "reason") String reason,
        @JsonProperty(value = "started_at") Instant startedAt,
        @JsonProperty(value = "stopped_at", required = true) Instant stoppedAt)
        implements BrokerEvent {

    public SessionStopped {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.text(provider, "provider");
        Require.present(stoppedAt, "stopped_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
