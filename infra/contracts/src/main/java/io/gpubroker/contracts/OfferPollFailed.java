package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A provider's offer poll failed (outage, auth, rate limit): NOT an empty catalog. Consumers keep
 * the last good catalog of that provider and say how old it is.
 */
public record OfferPollFailed(
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "attempted_at", required = true)
        Instant attemptedAt,

        @JsonProperty("error_class") String errorClass,
        @JsonProperty("message") String message)
        implements BrokerEvent {

    public OfferPollFailed {
        Require.text(provider, "provider");
        Require.present(attemptedAt, "attempted_at");
    }

    @Override
    public String aggregateId() {
        return provider;
    }
}
