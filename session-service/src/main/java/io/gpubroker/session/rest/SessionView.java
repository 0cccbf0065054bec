package io.gpubroker.session.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Requirements;
import io.gpubroker.session.domain.Session;
import java.math.BigDecimal;
import java.time.Instant;

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
        @JsonProperty("retry_count") int retryCount,
        @JsonProperty("auto_retry") boolean autoRetry,
        @JsonProperty("max_retries") int maxRetries,
        @JsonProperty("requirements") Requirements requirements) {

    public static SessionView of(Session s) {
        boolean reachable = s.status.name().equals("running") || s.status.name().equals("provisioning");
        return new SessionView(
                s.id,
                s.consumerId,
                s.offer.provider,
                s.offer.offerId,
                s.offer.gpuType,
                s.offer.gpuCount,
                s.status.name(),
                reachable ? s.host.sshHost : null,
                reachable ? s.host.sshPort : null,
                reachable ? s.host.sshUser : null,
                s.terms.workloadType,
                s.terms.reservationHours,
                s.offer.pricePerHour,
                s.offer.currency,
                s.terms.diskGb,
                LaunchMode.wire(s.terms.launchMode),
                s.status.name().equals("running") ? s.host.apiEndpoint : null,
                s.host.instanceId,
                s.lease.createdAt,
                s.lease.startedAt,
                s.lease.expiresAt,
                s.lease.hardMaxAt,
                s.lease.stoppedAt,
                s.saga.stopReason,
                s.saga.failureReason,
                s.saga.errorClass,
                s.saga.retryCount,
                s.terms.autoRetry,
                s.terms.maxRetries,
                s.terms.requirements);
    }
}
