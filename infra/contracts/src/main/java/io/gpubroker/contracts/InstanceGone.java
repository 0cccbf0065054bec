package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The provider confirmed an instance the broker caused to exist is gone (any instance: a session's
 * own, an unwanted one, an orphan); its billing ends at {@code confirmed_at}. {@code consumer_id} is
 * null when the session is unknown to this deployment. Topic session.events, key = session_id.
 */
public record InstanceGone(
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "instance_id", required = true)
        String instanceId,

        @JsonProperty(value = "confirmed_at", required = true)
        Instant confirmedAt)
        implements BrokerEvent {

    public InstanceGone {
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(instanceId, "instance_id");
        Require.present(confirmedAt, "confirmed_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
