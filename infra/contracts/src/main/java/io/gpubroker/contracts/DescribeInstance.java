package io.gpubroker.contracts;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Command to provider-gateway: report the provider's current view of a session's instance. */
public record DescribeInstance(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "instance_id", required = true) String instanceId,
        @JsonProperty(value = "requested_at", required = true) Instant requestedAt) implements BrokerEvent {

    public DescribeInstance {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(instanceId, "instance_id");
        Require.present(requestedAt, "requested_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
