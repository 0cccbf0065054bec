package io.gpubroker.inventory.messaging;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.Require;
import java.time.Instant;

/**
 * The fields of {@code ProvisionFailed} / {@code InstanceProvisioned} this service needs, read from
 * the JSON payload directly so it does not depend on those records landing in infra/contracts
 * (unknown fields are ignored).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProvisioningOutcome(
        @JsonProperty("command_id") String commandId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("provider") String provider,
        @JsonProperty("offer_id") String offerId,
        @JsonProperty("machine_id") String machineId,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("error_class") String errorClass,
        @JsonProperty("message") String message,
        @JsonProperty("retryable") Boolean retryable,
        @JsonProperty("failed_at") Instant failedAt,
        @JsonProperty("provisioned_at") Instant provisionedAt)
        implements BrokerEvent {

    public ProvisioningOutcome {
        Require.text(provider, "provider");
        Require.text(offerId, "offer_id");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
