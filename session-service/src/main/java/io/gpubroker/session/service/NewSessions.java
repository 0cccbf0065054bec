package io.gpubroker.session.service;

import java.time.Duration;
import java.time.Instant;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.RetryScope;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StoragePolicy;
import io.gpubroker.session.ssh.SessionKeys;

/** Builds a new {@code pending} session from a request and the offer it names, with fresh keys and defaults. */
@ApplicationScoped
public class NewSessions {
    private final SessionConfig cfg;
    private final SessionKeys keys;

    public NewSessions(SessionConfig cfg, SessionKeys keys) {
        this.cfg = cfg;
        this.keys = keys;
    }

    /** A built session with the secrets that exist only until the create answers. */
    public record Built(Session session, String privateKey, String agentToken) {
        @Override
        public String toString() {
            return "Built[" + session.id + "]";
        }
    }

    public Built build(NewSession r, Offer offer, String idempotencyKey, Instant now) {
        Session s = new Session();
        s.id = "sess-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        s.consumerId = r.consumerId();
        s.offerId = offer.id();
        s.provider = offer.provider();
        s.gpuType = offer.gpuType();
        s.gpuCount = offer.gpuCount();
        s.vramGb = offer.vramGb();
        s.pricePerHour = offer.pricePerHour();
        s.offerProvisioning = offer.provisioning();
        s.machineId = offer.machineId();
        s.offerCuda = offer.cudaVersion();
        s.currency = "USD";
        s.status = SessionStatus.pending;
        s.workloadType = r.workloadType();
        s.reservationHours = r.reservationHours();
        s.idleThresholdMinutes = r.idleThresholdMinutes() == null ? 0 : r.idleThresholdMinutes();
        s.storagePolicy = r.storagePolicy() == null ? StoragePolicy.destroy : r.storagePolicy();
        s.launchMode = r.launchMode() == null ? LaunchMode.ssh : r.launchMode();
        s.dockerImage = r.dockerImage();
        s.modelId = r.modelId();
        s.exposedPorts = r.exposedPorts() == null || r.exposedPorts().isEmpty() ? null
                : r.exposedPorts().stream().distinct().map(String::valueOf).collect(Collectors.joining(","));
        if (s.launchMode == LaunchMode.entrypoint) {
            if (!cfg.app().portProviders().contains(s.provider)) {
                throw ApiException.badRequest("launch_mode 'entrypoint' needs a provider that publishes ports ("
                        + String.join(", ", new TreeSet<>(cfg.app().portProviders())) + "); offer " + offer.id()
                        + " is on " + s.provider + ": use launch_mode 'ssh' there");
            }
            if (s.exposedPorts == null) {
                s.exposedPorts = String.valueOf(cfg.app().defaultPort());
            }
        }
        s.quantization = r.quantization();
        s.diskGb = r.diskGb() == null ? 50 : r.diskGb();
        s.templateHashId = r.templateHashId();
        s.autoRetry = Boolean.TRUE.equals(r.autoRetry());
        s.maxRetries = r.maxRetries() == null ? (s.autoRetry ? 2 : 0) : r.maxRetries();
        s.retryScope = r.retryScope() == null ? RetryScope.same_gpu : r.retryScope();
        s.idempotencyKey = idempotencyKey;
        s.createdAt = now;
        s.expiresAt = now.plus(Duration.ofHours(r.reservationHours()));
        s.hardMaxAt = now.plus(cfg.hardMax());
        s.updatedAt = now;
        SessionKeys.UserKey userKey = keys.newUserKey(s.id);
        s.userPublicKey = userKey.publicKeyLine();
        s.verifySalt = SessionKeys.newSalt();
        String agentToken = SessionKeys.newAgentToken();
        s.agentTokenHash = SessionKeys.hash(agentToken);
        return new Built(s, userKey.privateKeyPem(), agentToken);
    }
}
