package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** Reply: the provider confirmed the instance is gone (a 404 / "already gone" counts); billing may stop. */
public record InstanceTerminated(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("instance_id") String instanceId,

        @JsonProperty(value = "confirmed_at", required = true)
        Instant confirmedAt)
        implements BrokerEvent {

    public InstanceTerminated {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.present(confirmedAt, "confirmed_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
