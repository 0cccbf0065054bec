package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Reply: the provider accepted the create and the instance id is known. SSH details may still be
 * null (the instance is booting); {@link InstanceStatus} carries them once the provider reports them.
 */
public record InstanceProvisioned(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("offer_id") String offerId,

        @JsonProperty(value = "instance_id", required = true)
        String instanceId,

        @JsonProperty("ownership_tag") String ownershipTag,
        @JsonProperty("ssh_host") String sshHost,
        @JsonProperty("ssh_port") Integer sshPort,
        @JsonProperty("ssh_user") String sshUser,
        @JsonProperty("ssh_host_key") String sshHostKey,
        @JsonProperty("provider_state") String providerState,

        @JsonProperty(value = "provisioned_at", required = true)
        Instant provisionedAt)
        implements BrokerEvent {

    public InstanceProvisioned {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(instanceId, "instance_id");
        Require.present(provisionedAt, "provisioned_at");
    }

    /** Without a pinned host key (providers whose hosts the gateway never connects to). */
    public InstanceProvisioned(
            String commandId,
            String sessionId,
            String provider,
            String offerId,
            String instanceId,
            String ownershipTag,
            String sshHost,
            Integer sshPort,
            String sshUser,
            String providerState,
            Instant provisionedAt) {
        this(
                commandId,
                sessionId,
                provider,
                offerId,
                instanceId,
                ownershipTag,
                sshHost,
                sshPort,
                sshUser,
                null,
                providerState,
                provisionedAt);
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
