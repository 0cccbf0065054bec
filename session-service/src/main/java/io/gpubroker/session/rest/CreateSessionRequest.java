package io.gpubroker.session.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.app.AppLaunch;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Requirements;
import io.gpubroker.session.domain.RetryScope;
import io.gpubroker.session.domain.StoragePolicy;
import io.gpubroker.session.service.NewSession;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The body of {@code POST /sessions}, field names as in the broker API document. */
@JsonIgnoreProperties(ignoreUnknown = false)
public record CreateSessionRequest(
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty("offer_id") String offerId,
        @JsonProperty("requirements") Requirements requirements,
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

    public static final Set<String> WORKLOADS = Set.of(
            "llm", "training", "batch", "inference", "interactive", "fine_tuning", "rendering", "notebook", "other");

    /** Field checks of a create request; the message names the field. {@code providers}: the known providers. */
    public static void validate(CreateSessionRequest r, Set<String> providers) {
        if (r == null) {
            throw ApiException.badRequest("request body is required");
        }
        requireText(r.consumerId(), "consumer_id", 128);
        if (r.offerId() != null && r.requirements() != null) {
            throw ApiException.badRequest("give either offer_id or requirements, not both");
        }
        if (r.requirements() != null) {
            Requirements.validate(r.requirements(), providers);
        } else {
            if (r.offerId() == null) {
                throw ApiException.badRequest("offer_id is required (or a requirements object to choose one)");
            }
            requireText(r.offerId(), "offer_id", 256);
        }
        requireText(r.workloadType(), "workload_type", 32);
        if (!WORKLOADS.contains(r.workloadType())) {
            throw ApiException.badRequest("workload_type must be one of "
                    + WORKLOADS.stream().sorted().collect(Collectors.joining(", ")));
        }
        // absent: the consumer policy's default_ttl_hours, else a 400 (SessionResource)
        if (r.reservationHours() != null && (r.reservationHours() < 1 || r.reservationHours() > 12)) {
            throw ApiException.badRequest("reservation_hours must be between 1 and 12");
        }
        if (r.idleThresholdMinutes() != null && (r.idleThresholdMinutes() < 0 || r.idleThresholdMinutes() > 720)) {
            throw ApiException.badRequest("idle_threshold_minutes must be between 0 and 720");
        }
        if (r.storagePolicy() != null && value(StoragePolicy.class, r.storagePolicy()) == null) {
            throw ApiException.badRequest("storage_policy must be 'destroy' or 'preserve'");
        }
        if (StoragePolicy.preserve.name().equals(r.storagePolicy())) {
            // accepted-and-ignored would be a lie; a stopped instance bills storage (Barrack: the full rate)
            // and needs its own lifecycle (resume, delete, a limit) before the broker can offer it
            throw ApiException.badRequest(
                    "storage_policy 'preserve' is not supported yet: a session's instance and disk"
                            + " are destroyed when it ends, so nothing keeps billing; copy data off before ending the session");
        }
        if (r.launchMode() != null && value(LaunchMode.class, r.launchMode()) == null) {
            throw ApiException.badRequest("launch_mode must be 'ssh' or 'entrypoint'");
        }
        if (LaunchMode.entrypoint.name().equals(r.launchMode())
                && (r.dockerImage() == null || r.dockerImage().isBlank())
                && (r.templateHashId() == null || r.templateHashId().isBlank())) {
            throw ApiException.badRequest("docker_image is required when launch_mode is 'entrypoint'");
        }
        if (r.dockerImage() != null && !AppLaunch.IMAGE.matcher(r.dockerImage()).matches()) {
            throw ApiException.badRequest("docker_image must be an image reference (letters, digits, . _ / : @ -)");
        }
        if (r.modelId() != null && !AppLaunch.MODEL.matcher(r.modelId()).matches()) {
            throw ApiException.badRequest("model_id must be a model name (letters, digits, . _ / : -)");
        }
        if (r.quantization() != null
                && !AppLaunch.QUANTIZATION.matcher(r.quantization()).matches()) {
            throw ApiException.badRequest("quantization must be a method name such as awq, gptq, fp8");
        }
        if (r.diskGb() != null && (r.diskGb() < 10 || r.diskGb() > 2000)) {
            throw ApiException.badRequest("disk_gb must be between 10 and 2000");
        }
        if (r.exposedPorts() != null && r.exposedPorts().stream().anyMatch(p -> p == null || p < 1 || p > 65535)) {
            throw ApiException.badRequest("exposed_ports must be TCP ports (1-65535)");
        }
        if (r.maxRetries() != null && (r.maxRetries() < 0 || r.maxRetries() > 5)) {
            throw ApiException.badRequest("max_retries must be between 0 and 5");
        }
        if (r.retryScope() != null && value(RetryScope.class, r.retryScope()) == null) {
            throw ApiException.badRequest("retry_scope must be 'same_gpu', 'same_vram' or 'any'");
        }
    }

    /** The request as the service takes it; call after {@link #validate}, with reservation_hours given. */
    public NewSession toNewSession() {
        return toNewSession(reservationHours);
    }

    /** The request with {@code hours} reserved (the request's, or the consumer policy's default). */
    public NewSession toNewSession(int hours) {
        return new NewSession(
                consumerId,
                offerId,
                requirements,
                workloadType,
                hours,
                idleThresholdMinutes,
                value(StoragePolicy.class, storagePolicy),
                value(LaunchMode.class, launchMode),
                dockerImage,
                modelId,
                exposedPorts,
                quantization,
                diskGb,
                templateHashId,
                autoRetry,
                maxRetries,
                value(RetryScope.class, retryScope));
    }

    private static void requireText(String v, String field, int max) {
        if (v == null || v.isBlank()) {
            throw ApiException.badRequest(field + " is required");
        }
        if (v.length() > max) {
            throw ApiException.badRequest(field + " is longer than " + max + " characters");
        }
    }

    /** The constant spelled exactly {@code text}, or null (none, or no such constant). */
    private static <E extends Enum<E>> E value(Class<E> type, String text) {
        if (text == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text)) {
                return e;
            }
        }
        return null;
    }
}
