package io.gpubroker.session.rest;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.session.domain.Session;

/** The public session shape (never carries a private key). */
public record SessionView(
        @JsonProperty("id") String id,
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty("offer_id") String offerId,
        @JsonProperty("provider") String provider,
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("gpu_count") int gpuCount,
        @JsonProperty("status") String status,
        @JsonProperty("workload_type") String workloadType,
        @JsonProperty("reservation_hours") int reservationHours,
        @JsonProperty("price_per_hour") BigDecimal pricePerHour,
        @JsonProperty("currency") String currency,
        @JsonProperty("disk_gb") int diskGb,
        @JsonProperty("launch_mode") String launchMode,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("expires_at") Instant expiresAt) {

    public static SessionView of(Session s) {
        return new SessionView(s.id, s.consumerId, s.offerId, s.provider, s.gpuType, s.gpuCount, s.status.name(),
                s.workloadType, s.reservationHours, s.pricePerHour, s.currency, s.diskGb, s.launchMode, s.createdAt, s.expiresAt);
    }
}
