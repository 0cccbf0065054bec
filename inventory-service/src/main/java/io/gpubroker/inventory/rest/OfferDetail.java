package io.gpubroker.inventory.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.CatalogIndex;

/**
 * One offer as {@code GET /inventory/{id}} shows it: the search fields plus what internal callers
 * need to provision — machine, host facts and the provider's opaque {@code provisioning} map.
 */
// nulls are part of the broker API shape (cuda_version: null for non-Vast offers)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record OfferDetail(
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
        @JsonProperty("availability_confidence") double availabilityConfidence,
        @JsonProperty("age_seconds") long ageSeconds,
        @JsonProperty("stale") boolean stale,
        @JsonProperty("currency") String currency,
        @JsonProperty("suppressed") boolean suppressed,
        @JsonProperty("country") String country,
        @JsonProperty("machine_id") String machineId,
        @JsonProperty("available_count") Integer availableCount,
        @JsonProperty("vcpus") Integer vcpus,
        @JsonProperty("ram_gb") Integer ramGb,
        @JsonProperty("disk_gb") Integer diskGb,
        @JsonProperty("provisioning") Map<String, String> provisioning) {

    public static OfferDetail of(CatalogIndex.Hit h) {
        NormalisedOffer o = h.offer();
        return new OfferDetail(o.id(), o.provider(), o.providerId(), o.gpuType(), o.gpuCount(), o.vramGb(), o.pricePerHour(),
                o.location(), o.reliability(), o.available(), o.maxDurationHours() == null ? 0 : o.maxDurationHours(),
                o.fetchedAt(), o.cudaVersion(), h.confidence(), h.ageMillis() / 1000, h.stale(), o.currency(), h.suppressed(),
                o.country(), o.machineId(), o.availableCount(), o.vcpus(), o.ramGb(), o.diskGb(),
                o.provisioning() == null ? Map.of() : o.provisioning());
    }
}
