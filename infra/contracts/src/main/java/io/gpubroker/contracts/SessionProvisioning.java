package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** The provider instance is being created (ProvisionInstance sent, or instance id known). Topic session.events, key = session_id. */
public record SessionProvisioning(
        @JsonProperty(value = "session_id", required = true) String sessionId,

        @JsonProperty(value = "consumer_id", required = true)
        String consumerId,

        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "offer_id", required = true) String offerId,
        @JsonProperty(value = "instance_id") String instanceId,
        @JsonProperty(value = "at", required = true) Instant at)
        implements BrokerEvent {

    public SessionProvisioning {
        Require.text(sessionId, "session_id");
        Require.text(consumerId, "consumer_id");
        Require.text(provider, "provider");
        Require.text(offerId, "offer_id");
        Require.present(at, "at");
    }

    @Override
    public String aggregateId() {
        return sessionId;
    }
}
