package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Command to provider-gateway: report the provider's current view of a session's instance. A lookup
 * is only useful while fresh: past its {@code deadline} the gateway drops it unanswered (the saga asks
 * again on its next timer), so a backlog of stale polls never holds up creates and destroys.
 */
public record DescribeInstance(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "instance_id", required = true)
        String instanceId,

        @JsonProperty(value = "requested_at", required = true)
        Instant requestedAt,

        @JsonProperty("deadline") Instant deadline)
        implements BrokerEvent {

    /** A lookup without a deadline (reconciliation, startup): answered however late it is taken. */
    public DescribeInstance(
            String commandId, String sessionId, String provider, String instanceId, Instant requestedAt) {
        this(commandId, sessionId, provider, instanceId, requestedAt, null);
    }

    public boolean expiredAt(Instant now) {
        return deadline != null && now.isAfter(deadline);
    }

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
