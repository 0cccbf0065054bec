package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * One page of a provider's complete offer snapshot (a snapshot of 100,000 offers does not fit one
 * Kafka message). Pages of one snapshot share {@code snapshot_id}, are keyed by provider (so they
 * stay in order on one partition) and count {@code page} 1..{@code pages}. A consumer applies a
 * snapshot — including withdrawing offers it no longer lists — only once every page arrived.
 */
public record OfferSnapshotPage(
        @JsonProperty(value = "snapshot_id", required = true)
        String snapshotId,

        @JsonProperty(value = "provider", required = true) String provider,
        @JsonProperty(value = "fetched_at", required = true) Instant fetchedAt,
        @JsonProperty("page") int page,
        @JsonProperty("pages") int pages,
        @JsonProperty("total_offers") int totalOffers,
        @JsonProperty(value = "offers", required = true) List<NormalisedOffer> offers)
        implements BrokerEvent {

    public OfferSnapshotPage {
        Require.text(snapshotId, "snapshot_id");
        Require.text(provider, "provider");
        Require.present(fetchedAt, "fetched_at");
        Require.present(offers, "offers");
        if (pages < 1 || page < 1 || page > pages) {
            throw new MalformedEventException("page must be within 1..pages");
        }
    }

    @Override
    public String aggregateId() {
        return provider;
    }
}
