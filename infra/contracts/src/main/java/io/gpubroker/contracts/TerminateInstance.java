package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Command to provider-gateway: destroy a session's instance. Without {@code instance_id} the gateway
 * finds the instance by the session's ownership tag (a create that timed out before an id was known).
 */
public record TerminateInstance(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("reason") String reason,

        @JsonProperty(value = "requested_at", required = true)
        Instant requestedAt)
        implements BrokerEvent {

    public TerminateInstance {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.present(requestedAt, "requested_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
