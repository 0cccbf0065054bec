package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Reply: nothing was created. {@code error_class} is one of stale_inventory, no_capacity,
 * price_changed, auth, insufficient_funds, rate_limited, not_found, transient, invalid, expired
 * (the command's deadline passed before the gateway could begin it);
 * {@code retryable} says whether the same command could succeed later.
 */
public record ProvisionFailed(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("offer_id") String offerId,
        @JsonProperty("machine_id") String machineId,

        @JsonProperty(value = "error_class", required = true)
        String errorClass,

        @JsonProperty("message") String message,
        @JsonProperty("retryable") boolean retryable,
        @JsonProperty(value = "failed_at", required = true) Instant failedAt)
        implements BrokerEvent {

    public ProvisionFailed {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(errorClass, "error_class");
        Require.present(failedAt, "failed_at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
