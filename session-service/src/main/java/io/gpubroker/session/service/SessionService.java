package io.gpubroker.session.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.rest.CreateSessionRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import org.hibernate.exception.ConstraintViolationException;

/** Session commands: each one changes the session and appends its event in one transaction. */
@ApplicationScoped
public class SessionService {
    public static final Set<String> WORKLOADS = Set.of("llm", "training", "batch", "inference", "interactive",
            "fine_tuning", "rendering", "notebook", "other");
    static final Duration HARD_MAX = Duration.ofHours(12);

    private final OutboxWriter outbox;
    private final BrokerClock.Scaled clock;

    public SessionService(OutboxWriter outbox, BrokerClock.Scaled clock) {
        this.outbox = outbox;
        this.clock = clock;
    }

    /** Field checks of a create request; the message names the field. */
    public static void validate(CreateSessionRequest r) {
        if (r == null) {
            throw ApiException.badRequest("request body is required");
        }
        requireText(r.consumerId(), "consumer_id", 128);
        requireText(r.offerId(), "offer_id", 256);
        requireText(r.workloadType(), "workload_type", 32);
        if (!WORKLOADS.contains(r.workloadType())) {
            throw ApiException.badRequest("workload_type must be one of " + WORKLOADS.stream().sorted().collect(Collectors.joining(", ")));
        }
        if (r.reservationHours() == null) {
            throw ApiException.badRequest("reservation_hours is required");
        }
        if (r.reservationHours() < 1 || r.reservationHours() > 12) {
            throw ApiException.badRequest("reservation_hours must be between 1 and 12");
        }
        if (r.idleThresholdMinutes() != null && (r.idleThresholdMinutes() < 0 || r.idleThresholdMinutes() > 720)) {
            throw ApiException.badRequest("idle_threshold_minutes must be between 0 and 720");
        }
        if (r.storagePolicy() != null && !Set.of("destroy", "preserve").contains(r.storagePolicy())) {
            throw ApiException.badRequest("storage_policy must be 'destroy' or 'preserve'");
        }
        if (r.launchMode() != null && !Set.of("ssh", "entrypoint").contains(r.launchMode())) {
            throw ApiException.badRequest("launch_mode must be 'ssh' or 'entrypoint'");
        }
        if ("entrypoint".equals(r.launchMode()) && (r.dockerImage() == null || r.dockerImage().isBlank())
                && (r.templateHashId() == null || r.templateHashId().isBlank())) {
            throw ApiException.badRequest("docker_image is required when launch_mode is 'entrypoint'");
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
        if (r.retryScope() != null && !Set.of("same_gpu", "same_vram", "any").contains(r.retryScope())) {
            throw ApiException.badRequest("retry_scope must be 'same_gpu', 'same_vram' or 'any'");
        }
    }

    private static void requireText(String v, String field, int max) {
        if (v == null || v.isBlank()) {
            throw ApiException.badRequest(field + " is required");
        }
        if (v.length() > max) {
            throw ApiException.badRequest(field + " is longer than " + max + " characters");
        }
    }

    /** Stores the session {@code pending} and its {@code SessionRequested} event, atomically. */
    public Uni<Session> request(CreateSessionRequest r, Offer offer, String idempotencyKey) {
        Instant now = clock.instant();
        Session s = new Session();
        s.id = "sess-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        s.consumerId = r.consumerId();
        s.offerId = offer.id();
        s.provider = offer.provider();
        s.gpuType = offer.gpuType();
        s.gpuCount = offer.gpuCount();
        s.vramGb = offer.vramGb();
        s.pricePerHour = offer.pricePerHour();
        s.currency = "USD";
        s.status = SessionStatus.pending;
        s.workloadType = r.workloadType();
        s.reservationHours = r.reservationHours();
        s.idleThresholdMinutes = r.idleThresholdMinutes() == null ? 0 : r.idleThresholdMinutes();
        s.storagePolicy = r.storagePolicy() == null ? "destroy" : r.storagePolicy();
        s.launchMode = r.launchMode() == null ? "ssh" : r.launchMode();
        s.dockerImage = r.dockerImage();
        s.modelId = r.modelId();
        s.exposedPorts = r.exposedPorts() == null ? null
                : r.exposedPorts().stream().map(String::valueOf).collect(Collectors.joining(","));
        s.quantization = r.quantization();
        s.diskGb = r.diskGb() == null ? 50 : r.diskGb();
        s.templateHashId = r.templateHashId();
        s.autoRetry = Boolean.TRUE.equals(r.autoRetry());
        s.maxRetries = r.maxRetries() == null ? (s.autoRetry ? 2 : 0) : r.maxRetries();
        s.retryScope = r.retryScope();
        s.idempotencyKey = idempotencyKey;
        s.createdAt = now;
        s.expiresAt = now.plus(Duration.ofHours(r.reservationHours()));
        s.hardMaxAt = now.plus(HARD_MAX);
        s.updatedAt = now;
        SessionRequested event = new SessionRequested(s.id, s.consumerId, s.offerId, s.provider, s.gpuType, s.gpuCount,
                s.pricePerHour, s.currency, s.reservationHours, s.workloadType, now);
        return Panache.withTransaction(() -> s.<Session>persistAndFlush()
                        .chain(saved -> Panache.getSession().chain(db -> outbox.append(db, "session", event)))
                        .replaceWith(s))
                .onFailure(ConstraintViolationException.class).transform(e ->
                        ApiException.conflict("consumer " + r.consumerId() + " already has a live session on offer " + offer.id()));
    }

    public Uni<Session> find(String id) {
        return Session.<Session>findById(id)
                .onItem().ifNull().failWith(() -> ApiException.notFound("session " + id + " not found"));
    }
}
