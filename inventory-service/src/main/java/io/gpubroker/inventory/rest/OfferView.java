package io.gpubroker.inventory.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.CatalogIndex;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * An offer as search shows it: the broker API's offer fields, then our additions (confidence, age,
 * staleness, currency, suppression). {@link OfferDetail} is this plus what provisioning needs. Search
 * results are written from these fields by {@link SearchJson} (static fields pre-serialised per offer).
 */
// nulls are part of the broker API shape (cuda_version: null for non-Vast offers)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record OfferView(
        @JsonProperty("id") String id,
        @JsonProperty("provider") String provider,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("gpu_count") int gpuCount,
        @JsonProperty("vram_gb") int vramGb,
        @JsonProperty("price_per_hour") BigDecimal pricePerHour,
        @JsonProperty("location") String location,
        @JsonProperty("reliability") Double reliability,
        @JsonProperty("available") boolean available,
        @JsonProperty("max_duration_hours") int maxDurationHours,
        @JsonProperty("fetched_at") Instant fetchedAt,
        @JsonProperty("cuda_version") Double cudaVersion,
        @JsonProperty(CONFIDENCE) double availabilityConfidence,
        @JsonProperty(AGE_SECONDS) long ageSeconds,
        @JsonProperty(STALE) boolean stale,
        @JsonProperty("currency") String currency,
        @JsonProperty(SUPPRESSED) boolean suppressed) {

    /** The fields that change with the clock and the broker's provisioning history (the rest change only with the offer). */
    static final String CONFIDENCE = "availability_confidence";

    static final String AGE_SECONDS = "age_seconds";
    static final String STALE = "stale";
    static final String SUPPRESSED = "suppressed";

    /** The search-result form. */
    public static OfferView of(CatalogIndex.Hit h) {
        NormalisedOffer o = h.offer();
        return new OfferView(
                o.id(),
                o.provider(),
                o.providerId(),
                o.gpuType(),
                o.gpuCount(),
                o.vramGb(),
                o.pricePerHour(),
                o.location(),
                o.reliability(),
                o.available(),
                o.maxDurationHours() == null ? 0 : o.maxDurationHours(),
                o.fetchedAt(),
                o.cudaVersion(),
                h.confidence(),
                h.ageMillis() / 1000,
                h.stale(),
                o.currency(),
                h.suppressed());
    }
}
