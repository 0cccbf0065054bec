package io.gpubroker.inventory.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.CatalogIndex;
import java.util.Map;

/**
 * One offer as {@code GET /inventory/{id}} shows it: the search form ({@link OfferView}, its fields
 * first and in its order) plus what internal callers need to provision — machine, host facts and the
 * provider's opaque {@code provisioning} map.
 */
// nulls are part of the broker API shape (available_count: null when the provider does not say)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record OfferDetail(
        @JsonUnwrapped OfferView offer,
        @JsonProperty("country") String country,
        @JsonProperty("machine_id") String machineId,
        @JsonProperty("available_count") Integer availableCount,
        @JsonProperty("vcpus") Integer vcpus,
        @JsonProperty("ram_gb") Integer ramGb,
        @JsonProperty("disk_gb") Integer diskGb,
        @JsonProperty("provisioning") Map<String, String> provisioning) {

    public static OfferDetail of(CatalogIndex.Hit h) {
        NormalisedOffer o = h.offer();
        return new OfferDetail(
                OfferView.of(h),
                o.country(),
                o.machineId(),
                o.availableCount(),
                o.vcpus(),
                o.ramGb(),
                o.diskGb(),
                o.provisioning() == null ? Map.of() : o.provisioning());
    }
}
