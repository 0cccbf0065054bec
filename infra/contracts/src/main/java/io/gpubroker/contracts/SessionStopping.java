package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** Termination requested (done, delete, expiry, hard max, idle, budget, failure); the instance may still bill. Topic session.events, key = session_id. */
public record SessionStopping(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "reason", required = true) String reason,
        @JsonProperty(value = "at", required = true) Instant at)
        implements BrokerEvent {

    public SessionStopping {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.text(reason, "reason");
        Require.present(at, "at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
