package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** The reservation was extended; expires_at moved. Topic session.events, key = session_id. */
public record SessionExtended(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "additional_hours") int additionalHours,

        @JsonProperty(value = "new_expires_at", required = true)
        Instant newExpiresAt,

        @JsonProperty(value = "at", required = true) Instant at)
        implements BrokerEvent {

    public SessionExtended {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.present(newExpiresAt, "new_expires_at");
        Require.present(at, "at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
