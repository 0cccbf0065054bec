package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * Every instance of one provider that carries this deployment's ownership tag, listed completely.
 * A listing that failed or is partial is published as {@link InstanceListingFailed} instead — never
 * as an empty or short list, which would make billing instances invisible to orphan detection.
 */
public record InstanceListing(
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "deployment", required = true) String deployment,
        @JsonProperty(value = "listed_at", required = true) Instant listedAt,
        @JsonProperty("complete") boolean complete,
        @JsonProperty(value = "instances", required = true) List<ListedInstance> instances)
        implements BrokerEvent {

    /** One broker-tagged instance; {@code session_id} is parsed from the tag. */
    public record ListedInstance(
            @JsonProperty(value = "instance_id", required = true)
            String instanceId,

            @JsonProperty(value = "tag", required = true) String tag,
            @JsonProperty("session_id") String sessionId,
            @JsonProperty("provider_state") String providerState,
            @JsonProperty("created_at") Instant createdAt) {

        public ListedInstance {
            Require.text(instanceId, "instance_id");
            Require.text(tag, "tag");
        }
    }

    public InstanceListing {
        Require.text(provider, "provider");
        Require.text(deployment, "deployment");
        Require.present(listedAt, "listed_at");
        Require.present(instances, "instances");
        instances = List.copyOf(instances);
    }

    @Override
    public String aggregateId() {
        return provider;
    }
}
