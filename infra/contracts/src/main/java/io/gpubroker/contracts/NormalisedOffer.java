package io.gpubroker.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One provider offer in the broker's common shape. {@code id} is {@code <provider>-<native id>};
 * {@code vram_gb} is per GPU, rounded to the nearest GB (24 GB cards are 24, never 23);
 * {@code provisioning} carries what the provider's create call needs (e.g. Vast ask id,
 * TensorDock location + GPU name, Trooper blib id and price), opaque to everyone but the gateway.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NormalisedOffer(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty(value = "provider", required = true) String provider,

        @JsonProperty(value = "provider_id", required = true)
        String providerId,

        @JsonProperty(value = "gpu_type", required = true) String gpuType,
        @JsonProperty("gpu_count") int gpuCount,
        @JsonProperty("vram_gb") int vramGb,

        @JsonProperty(value = "price_per_hour", required = true)
        BigDecimal pricePerHour,

        @JsonProperty("currency") String currency,
        @JsonProperty("location") String location,
        @JsonProperty("country") String country,
        @JsonProperty("reliability") Double reliability,
        @JsonProperty("available") boolean available,
        @JsonProperty("available_count") Integer availableCount,
        @JsonProperty("cuda_version") Double cudaVersion,
        @JsonProperty("max_duration_hours") Integer maxDurationHours,
        @JsonProperty("machine_id") String machineId,
        @JsonProperty("vcpus") Integer vcpus,
        @JsonProperty("ram_gb") Integer ramGb,
        @JsonProperty("disk_gb") Integer diskGb,
        @JsonProperty(value = "fetched_at", required = true) Instant fetchedAt,
        @JsonProperty("provisioning") Map<String, String> provisioning) {

    public NormalisedOffer {
        Require.text(id, "id");
        Require.text(provider, "provider");
        Require.text(gpuType, "gpu_type");
        Require.nonNegative(pricePerHour, "price_per_hour");
        Require.present(fetchedAt, "fetched_at");
        if (currency == null) {
            currency = "USD";
        }
    }
}
