package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * An offer left the catalog because a provider's complete, successful snapshot no longer lists it
 * ({@code reason} = {@code missing_from_snapshot}). A failed poll never withdraws. Key = offer id.
 */
public record OfferWithdrawn(
        @JsonProperty(value = "offer_id", required = true) String offerId,
        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty("reason") String reason,

        @JsonProperty(value = "withdrawn_at", required = true)
        Instant withdrawnAt)
        implements BrokerEvent {

    public OfferWithdrawn {
        Require.text(offerId, "offer_id");
        Require.text(provider, "provider");
        Require.present(withdrawnAt, "withdrawn_at");
    }

    @Override
    public String aggregateId() {
        return offerId;
    }
}
