package io.gpubroker.session.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of {@code POST /sessions}, field names as in the broker API document. */
@JsonIgnoreProperties(ignoreUnknown = false)
public record CreateSessionRequest(
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty("offer_id") String offerId,
        @JsonProperty("workload_type") String workloadType,
        @JsonProperty("reservation_hours") Integer reservationHours,
        @JsonProperty("idle_threshold_minutes") Integer idleThresholdMinutes,
        @JsonProperty("storage_policy") String storagePolicy,
        @JsonProperty("launch_mode") String launchMode,
        @JsonProperty("docker_image") String dockerImage,
        @JsonProperty("model_id") String modelId,
        @JsonProperty("exposed_ports") List<Integer> exposedPorts,
        @JsonProperty("quantization") String quantization,
        @JsonProperty("disk_gb") Integer diskGb,
        @JsonProperty("template_hash_id") String templateHashId,
        @JsonProperty("auto_retry") Boolean autoRetry,
        @JsonProperty("max_retries") Integer maxRetries,
        @JsonProperty("retry_scope") String retryScope) {
}
