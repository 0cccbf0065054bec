package io.gpubroker.session.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** An offer as inventory-service shows it (the public offer shape plus what provisioning needs). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Offer(
        @JsonProperty("id") String id,
        @JsonProperty("provider") String provider,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("gpu_count") int gpuCount,
        @JsonProperty("vram_gb") Integer vramGb,
        @JsonProperty("price_per_hour") BigDecimal pricePerHour,
        @JsonProperty("location") String location,
        @JsonProperty("available") boolean available,
        @JsonProperty("stale") boolean stale,
        @JsonProperty("fetched_at") Instant fetchedAt,
        @JsonProperty("cuda_version") BigDecimal cudaVersion,
        @JsonProperty("machine_id") String machineId,
        @JsonProperty("provisioning") Map<String, String> provisioning,
        @JsonProperty("suppressed") boolean suppressed,
        @JsonProperty("reliability") Double reliability) {

    /** An offer as the detail shows it when the listing's reliability is not known. */
    public Offer(
            String id,
            String provider,
            String providerId,
            String gpuType,
            int gpuCount,
            Integer vramGb,
            BigDecimal pricePerHour,
            String location,
            boolean available,
            boolean stale,
            Instant fetchedAt,
            BigDecimal cudaVersion,
            String machineId,
            Map<String, String> provisioning,
            boolean suppressed) {
        this(
                id,
                provider,
                providerId,
                gpuType,
                gpuCount,
                vramGb,
                pricePerHour,
                location,
                available,
                stale,
                fetchedAt,
                cudaVersion,
                machineId,
                provisioning,
                suppressed,
                null);
    }

    /** What one GPU of this offer costs per hour (the ranking of a requirements search). */
    public BigDecimal pricePerGpuHour() {
        return pricePerHour.divide(BigDecimal.valueOf(Math.max(1, gpuCount)), 8, java.math.RoundingMode.HALF_UP);
    }

    /** Whether a create on it may still work (inventory believes it is there). */
    public boolean usable() {
        return available && !stale && !suppressed;
    }

    /** The most {@code hours} on this offer can cost (what the budget check reserves). */
    public BigDecimal costFor(int hours) {
        return pricePerHour.multiply(BigDecimal.valueOf(hours));
    }
}
