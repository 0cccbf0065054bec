package io.gpubroker.session.service;

import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.RetryScope;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StoragePolicy;
import io.gpubroker.session.ssh.SessionKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

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
        s.offer.takeFrom(offer);
        s.offer.currency = "USD";
        s.status = SessionStatus.pending;
        s.terms.workloadType = r.workloadType();
        s.terms.reservationHours = r.reservationHours();
        s.terms.idleThresholdMinutes = r.idleThresholdMinutes() == null ? 0 : r.idleThresholdMinutes();
        s.terms.storagePolicy = r.storagePolicy() == null ? StoragePolicy.destroy : r.storagePolicy();
        s.terms.launchMode = r.launchMode() == null ? LaunchMode.ssh : r.launchMode();
        s.terms.dockerImage = r.dockerImage();
        s.terms.modelId = r.modelId();
        s.terms.exposedPorts = r.exposedPorts() == null || r.exposedPorts().isEmpty()
                ? null
                : r.exposedPorts().stream().distinct().map(String::valueOf).collect(Collectors.joining(","));
        if (s.terms.launchMode == LaunchMode.entrypoint) {
            if (!cfg.app().portProviders().contains(s.offer.provider)) {
                throw ApiException.badRequest("launch_mode 'entrypoint' needs a provider that publishes ports ("
                        + String.join(", ", new TreeSet<>(cfg.app().portProviders())) + "); offer " + offer.id()
                        + " is on " + s.offer.provider + ": use launch_mode 'ssh' there");
            }
            if (s.terms.exposedPorts == null) {
                s.terms.exposedPorts = String.valueOf(cfg.app().defaultPort());
            }
        }
        s.terms.quantization = r.quantization();
        s.terms.diskGb = r.diskGb() == null ? 50 : r.diskGb();
        s.terms.templateHashId = r.templateHashId();
        s.terms.requirements = r.requirements();
        // failover is on unless the request turns it off (auto_retry: false) or, for an offer_id, the
        // deployment does (session.failover.offer-default)
        s.terms.autoRetry = r.autoRetry() != null
                ? r.autoRetry()
                : r.requirements() != null || cfg.failover().offerDefault();
        s.terms.maxRetries =
                r.maxRetries() == null ? (s.terms.autoRetry ? cfg.failover().defaultRetries() : 0) : r.maxRetries();
        s.terms.retryScope = r.retryScope() == null ? RetryScope.same_gpu : r.retryScope();
        s.terms.idempotencyKey = idempotencyKey;
        s.lease.createdAt = now;
        s.lease.expiresAt = now.plus(Duration.ofHours(r.reservationHours()));
        s.lease.hardMaxAt = now.plus(cfg.hardMax());
        s.updatedAt = now;
        SessionKeys.UserKey userKey = keys.newUserKey(s.id);
        s.keys.userPublicKey = userKey.publicKeyLine();
        s.keys.verifySalt = SessionKeys.newSalt();
        String agentToken = SessionKeys.newAgentToken();
        s.keys.agentTokenHash = SessionKeys.hash(agentToken);
        return new Built(s, userKey.privateKeyPem(), agentToken);
    }
}
