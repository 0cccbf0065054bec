package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** Listing a provider's instances failed (or was partial): consumers must not conclude "no instances". */
public record InstanceListingFailed(
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "attempted_at", required = true)
        Instant attemptedAt,

        @JsonProperty(value = "error_class", required = true)
        String errorClass,

        @JsonProperty("message") String message)
        implements BrokerEvent {

    public InstanceListingFailed {
        Require.text(provider, "provider");
        Require.present(attemptedAt, "attempted_at");
        Require.text(errorClass, "error_class");
    }

    @Override
    public String aggregateId() {
        return provider;
    }
}
