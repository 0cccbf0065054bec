package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Reply to {@link DescribeInstance}: the provider's native state and its broker meaning
 * (provisioning | running | failed | gone). When the provider could not be asked, broker_state is
 * {@code unknown} and {@code error_class} says why — never a guess.
 */
public record InstanceStatus(
        @JsonProperty(value = "command_id", required = true) String commandId,
        @JsonProperty(value = "session_id", required = true) String sessionId,
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "instance_id", required = true)
        String instanceId,

        @JsonProperty("provider_state") String providerState,

        @JsonProperty(value = "broker_state", required = true)
        String brokerState,

        @JsonProperty("ssh_host") String sshHost,
        @JsonProperty("ssh_port") Integer sshPort,
        @JsonProperty("ssh_user") String sshUser,
        @JsonProperty("ssh_host_key") String sshHostKey,
        @JsonProperty("api_endpoint") String apiEndpoint,
        @JsonProperty("error_class") String errorClass,

        @JsonProperty(value = "observed_at", required = true)
        Instant observedAt)
        implements BrokerEvent {

    public InstanceStatus {
        Require.text(commandId, "command_id");
        Require.text(sessionId, "session_id");
        Require.text(provider, "provider");
        Require.text(instanceId, "instance_id");
        Require.text(brokerState, "broker_state");
        Require.present(observedAt, "observed_at");
    }

    /** Without a pinned host key (providers whose hosts the gateway never connects to). */
    public InstanceStatus(
            String commandId,
            String sessionId,
            String provider,
            String instanceId,
            String providerState,
            String brokerState,
            String sshHost,
            Integer sshPort,
            String sshUser,
            String apiEndpoint,
            String errorClass,
            Instant observedAt) {
        this(
                commandId,
                sessionId,
                provider,
                instanceId,
                providerState,
                brokerState,
                sshHost,
                sshPort,
                sshUser,
                null,
                apiEndpoint,
                errorClass,
                observedAt);
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
