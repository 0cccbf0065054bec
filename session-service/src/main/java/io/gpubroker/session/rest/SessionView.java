package io.gpubroker.session.rest;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Session;

/** The public session shape of the broker API (never carries a private key or a token). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionView(
        @JsonProperty("id") String id,
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty("provider") String provider,
        @JsonProperty("offer_id") String offerId,
        @JsonProperty("gpu_type") String gpuType,
        @JsonProperty("gpu_count") int gpuCount,
        @JsonProperty("status") String status,
        @JsonProperty("ssh_host") String sshHost,
        @JsonProperty("ssh_port") Integer sshPort,
        @JsonProperty("ssh_user") String sshUser,
        @JsonProperty("workload_type") String workloadType,
        @JsonProperty("reservation_hours") int reservationHours,
        @JsonProperty("price_per_hour") BigDecimal pricePerHour,
        @JsonProperty("currency") String currency,
        @JsonProperty("disk_gb") int diskGb,
        @JsonProperty("launch_mode") String launchMode,
        @JsonProperty("api_endpoint") String apiEndpoint,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("expires_at") Instant expiresAt,
        @JsonProperty("hard_max_at") Instant hardMaxAt,
        @JsonProperty("stopped_at") Instant stoppedAt,
        @JsonProperty("stop_reason") String stopReason,
        @JsonProperty("failure_reason") String failureReason,
        @JsonProperty("error_class") String errorClass,
        @JsonProperty("retry_count") int retryCount) {

    public static SessionView of(Session s) {
        boolean reachable = s.status.name().equals("running") || s.status.name().equals("provisioning");
        return new SessionView(s.id, s.consumerId, s.provider, s.offerId, s.gpuType, s.gpuCount, s.status.name(),
                reachable ? s.sshHost : null, reachable ? s.sshPort : null, reachable ? s.sshUser : null,
                s.workloadType, s.reservationHours, s.pricePerHour, s.currency, s.diskGb, LaunchMode.wire(s.launchMode),
                s.status.name().equals("running") ? s.apiEndpoint : null,
                s.instanceId, s.createdAt, s.startedAt, s.expiresAt, s.hardMaxAt, s.stoppedAt, s.stopReason,
                s.failureReason, s.errorClass, s.retryCount);
    }
}
