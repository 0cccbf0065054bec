package io.gpubroker.session.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.kit.rest.ApiException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What the admin allows one consumer (null: no limit); the body of {@code PUT /policies/{consumer_id}}. */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ConsumerPolicy(
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty("max_sessions") Integer maxSessions,
        @JsonProperty("max_gpus") Integer maxGpus,
        @JsonProperty("max_hourly_usd") BigDecimal maxHourlyUsd,
        @JsonProperty("allowed_providers") List<String> allowedProviders,
        @JsonProperty("allowed_gpu_types") List<String> allowedGpuTypes,
        @JsonProperty("max_reservation_hours") Integer maxReservationHours,
        @JsonProperty("default_ttl_hours") Integer defaultTtlHours,
        @JsonProperty("updated_at") Instant updatedAt) {

    /** Field checks of a policy body; messages name the field. */
    public static void validate(ConsumerPolicy p, Set<String> providers) {
        if (p == null) {
            throw ApiException.badRequest("request body is required");
        }
        positive(p.maxSessions, "max_sessions", 10_000);
        positive(p.maxGpus, "max_gpus", 100_000);
        if (p.maxHourlyUsd != null
                && (p.maxHourlyUsd.signum() <= 0 || p.maxHourlyUsd.compareTo(BigDecimal.valueOf(1_000_000)) > 0)) {
            throw ApiException.badRequest("max_hourly_usd must be above 0 and at most 1000000");
        }
        if (p.allowedProviders != null) {
            if (p.allowedProviders.isEmpty()) {
                throw ApiException.badRequest("allowed_providers must list at least one provider (or be null: any)");
            }
            for (String x : p.allowedProviders) {
                if (x == null || !providers.contains(x)) {
                    throw ApiException.badRequest("allowed_providers: unknown provider '" + x + "'; known: "
                            + String.join(", ", new java.util.TreeSet<>(providers)));
                }
            }
        }
        if (p.allowedGpuTypes != null) {
            if (p.allowedGpuTypes.isEmpty() || p.allowedGpuTypes.size() > 50) {
                throw ApiException.badRequest("allowed_gpu_types must list 1-50 GPU types (or be null: any)");
            }
            for (String x : p.allowedGpuTypes) {
                if (x == null || x.isBlank() || x.length() > 100) {
                    throw ApiException.badRequest("allowed_gpu_types: each must be 1-100 characters");
                }
            }
        }
        positive(p.maxReservationHours, "max_reservation_hours", 12);
        positive(p.defaultTtlHours, "default_ttl_hours", 12);
        if (p.defaultTtlHours != null && p.maxReservationHours != null && p.defaultTtlHours > p.maxReservationHours) {
            throw ApiException.badRequest("default_ttl_hours must not exceed max_reservation_hours");
        }
    }

    /** The same policy for {@code consumer} as of {@code at}. */
    public ConsumerPolicy of(String consumer, Instant at) {
        return new ConsumerPolicy(
                consumer,
                maxSessions,
                maxGpus,
                maxHourlyUsd,
                allowedProviders,
                allowedGpuTypes,
                maxReservationHours,
                defaultTtlHours,
                at);
    }

    /** Whether the provider may be used. */
    public boolean providerAllowed(String provider) {
        return allowedProviders == null || allowedProviders.contains(provider);
    }

    /** Whether the GPU type may be used: an allowed name matches as whole words ("A100" allows "A100 80GB"). */
    public boolean gpuTypeAllowed(String gpuType) {
        if (allowedGpuTypes == null) {
            return true;
        }
        String type = " " + norm(gpuType == null ? "" : gpuType) + " ";
        return allowedGpuTypes.stream().anyMatch(a -> type.contains(" " + norm(a) + " "));
    }

    private static String norm(String s) {
        return s.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static void positive(Integer v, String field, int max) {
        if (v != null && (v < 1 || v > max)) {
            throw ApiException.badRequest(field + " must be between 1 and " + max);
        }
    }
}
