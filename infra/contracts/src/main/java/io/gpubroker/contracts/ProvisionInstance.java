package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Command to provider-gateway: create an instance for a session on an offer. {@code command_id} is
 * the idempotency key — the gateway records an intent under it before calling the provider, so a
 * redelivered or replayed command never creates a second instance and answers with the first outcome.
 * {@code start_command} is what a container-native provider runs after boot (entrypoint mode); VM
 * providers get the application started over SSH by session-service instead.
 * {@code deadline} is when the session stops wanting the instance unless the create has begun: a
 * command the gateway takes from its queue later is dropped and answered {@code ProvisionFailed}
 * ({@code expired}) without calling the provider. {@code attempt} is the session's attempt number
 * (0, then one more per auto-retry onto another offer).
 */
public record ProvisionInstance(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "offer_id", required = true) String offerId,
        @JsonProperty("provisioning") Map<String, String> provisioning,
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("gpu_count") int gpuCount,
        @JsonProperty("price_per_hour") BigDecimal pricePerHour,

        @JsonProperty(value = "ssh_public_keys", required = true)
        List<String> sshPublicKeys,

        @JsonProperty("image") String image,
        @JsonProperty("disk_gb") Integer diskGb,
        @JsonProperty("launch_mode") String launchMode,
        @JsonProperty("docker_image") String dockerImage,
        @JsonProperty("template_hash_id") String templateHashId,
        @JsonProperty("exposed_ports") List<Integer> exposedPorts,
        @JsonProperty("env") Map<String, String> env,
        @JsonProperty("start_command") String startCommand,

        @JsonProperty(value = "requested_at", required = true)
        Instant requestedAt,

        @JsonProperty("deadline") Instant deadline,
        @JsonProperty("attempt") Integer attempt)
        implements BrokerEvent {

    public ProvisionInstance {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(offerId, "offer_id");
        Require.present(sshPublicKeys, "ssh_public_keys");
        if (sshPublicKeys.isEmpty()) {
            throw new MalformedEventException("ssh_public_keys must name at least one key");
        }
        Require.present(requestedAt, "requested_at");
        if (pricePerHour != null && pricePerHour.signum() < 0) {
            throw new MalformedEventException("price_per_hour must not be negative");
        }
        provisioning = provisioning == null ? Map.of() : Map.copyOf(provisioning);
        sshPublicKeys = List.copyOf(sshPublicKeys);
        exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** True when the session no longer wants this create to begin at {@code now}. */
    public boolean expiredAt(Instant now) {
        return deadline != null && now.isAfter(deadline);
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
