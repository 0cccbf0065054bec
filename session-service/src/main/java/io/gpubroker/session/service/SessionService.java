package io.gpubroker.session.service;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.ConsumerPolicy;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.repository.PolicyRepository;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.saga.Step;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The session commands and queries of the API. A command is one saga step in one transaction
 * (state + outbox, see {@link SessionSteps}); a query reads the repository.
 */
@ApplicationScoped
public class SessionService {

    private final Mutiny.SessionFactory db;
    private final SessionRepository repository;
    private final SessionSteps steps;
    private final NewSessions newSessions;
    private final ProvisionSessionSaga saga;
    private final SessionMetrics metrics;
    private final SessionConfig cfg;
    private final PolicyRepository policies;

    public SessionService(
            Mutiny.SessionFactory db,
            SessionRepository repository,
            PolicyRepository policies,
            SessionSteps steps,
            NewSessions newSessions,
            ProvisionSessionSaga saga,
            SessionMetrics metrics,
            SessionConfig cfg) {
        this.cfg = cfg;
        this.policies = policies;
        this.db = db;
        this.repository = repository;
        this.steps = steps;
        this.newSessions = newSessions;
        this.saga = saga;
        this.metrics = metrics;
    }

    public Instant now() {
        return steps.now();
    }

    /**
     * What a create returns: the private key and agent token exist only in this object. A replay (an
     * earlier create with the same Idempotency-Key won) carries the existing session and no key.
     */
    public record Created(Session session, String privateKey, String agentToken, boolean replay) {
        @Override
        public String toString() {
            return "Created[" + session.id + "]";
        }
    }

    /** A create already made with this Idempotency-Key, if any. */
    public Uni<Session> byIdempotencyKey(String consumerId, String key) {
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        return repository.byIdempotencyKey(consumerId, key);
    }

    /** Stores the session {@code pending} with SessionRequested and ProvisionInstance, atomically. */
    public Uni<Created> create(NewSession r, Offer offer, String idempotencyKey) {
        Instant now = steps.now();
        NewSessions.Built built = newSessions.build(r, offer, idempotencyKey, now);
        Session s = built.session();
        Step step = saga.start(s, now);
        List<BrokerEvent> events = new ArrayList<>();
        events.add(new SessionRequested(
                s.id,
                s.consumerId,
                s.offer.offerId,
                s.offer.provider,
                s.offer.gpuType,
                s.offer.gpuCount,
                s.offer.pricePerHour,
                s.offer.currency,
                s.terms.reservationHours,
                s.terms.workloadType,
                now));
        events.addAll(step.events());
        return db.withTransaction(tx -> repository
                        .lockConsumer(tx, r.consumerId())
                        .chain(() -> idempotencyKey == null
                                ? Uni.createFrom().<Session>nullItem()
                                : repository.byIdempotencyKey(tx, r.consumerId(), idempotencyKey))
                        .chain(earlier -> earlier != null
                                ? Uni.createFrom().item(new Created(earlier, null, null, true))
                                : belowCap(tx, r.consumerId())
                                        .chain(() -> withinPolicy(tx, r.consumerId(), offer, r.reservationHours()))
                                        .chain(() -> steps.insert(tx, s, events, now))
                                        .replaceWith(
                                                () -> new Created(s, built.privateKey(), built.agentToken(), false))))
                .invoke(c -> {
                    if (!c.replay()) {
                        metrics.created(s.offer.provider);
                    }
                })
                .onFailure(ConstraintViolationException.class)
                .transform(e -> ApiException.conflict(
                        "consumer " + r.consumerId() + " already has a live session on offer " + offer.id()));
    }

    private Uni<Void> belowCap(Mutiny.Session tx, String consumerId) {
        int limit = cfg.maxActivePerConsumer();
        if (limit <= 0) {
            return Uni.createFrom().voidItem();
        }
        return repository
                .countLive(tx, consumerId)
                .invoke(live -> {
                    if (live >= limit) {
                        throw new ApiException(
                                409,
                                "consumer " + consumerId + " already has " + live + " active sessions (limit " + limit
                                        + "): end one with POST /api/v1/sessions/{id}/done before creating another",
                                Map.of("error_type", "session_limit", "active_sessions", live, "limit", limit));
                    }
                })
                .replaceWithVoid();
    }

    /** The consumer's policy admits one more session on {@code offer}, as this transaction (under the consumer's lock) sees it. */
    private Uni<Void> withinPolicy(Mutiny.Session tx, String consumerId, Offer offer, int hours) {
        return policies.find(tx, consumerId)
                .chain(p -> p == null
                        ? Uni.createFrom().voidItem()
                        : policies.usage(tx, consumerId, null)
                                .invoke(u -> {
                                    ApiException refused = PolicyCheck.refusal(p, u, offer, hours, true);
                                    if (refused != null) {
                                        throw refused;
                                    }
                                })
                                .replaceWithVoid());
    }

    /** The consumer's policy, or null. */
    public Uni<ConsumerPolicy> policy(String consumerId) {
        return policies.find(consumerId);
    }

    public Uni<Session> find(String id) {
        return repository
                .find(id)
                .onItem()
                .ifNull()
                .failWith(() -> ApiException.notFound("session " + id + " not found"));
    }

    public Uni<List<Session>> list(String consumerId, SessionStatus status, String provider, int limit) {
        return repository.list(consumerId, status, provider, limit);
    }

    public Uni<List<SessionRepository.AttemptRow>> attempts(String id) {
        return repository.attempts(id);
    }

    /** Ends a session for {@code reason}; idempotent on ended sessions. */
    public Uni<Session> end(String id, StopReason reason) {
        return steps.apply(id, (s, now) -> saga.stop(s, reason, now));
    }

    /** Extends by {@code hours} unless {@code policy} (the consumer's, or null) caps the session's reserved hours. */
    public Uni<Session> extend(String id, int hours, ConsumerPolicy policy) {
        return steps.apply(id, (s, now) -> {
            ApiException refused =
                    PolicyCheck.extendRefusal(policy, s.terms.reservationHours + s.lease.extendedHours, hours);
            if (refused != null && s.status == SessionStatus.running) {
                throw refused;
            }
            return saga.extend(s, hours, now);
        });
    }

    public Uni<Session> heartbeat(String id, String token, Integer gpuUtil, Integer idleSeconds) {
        return steps.apply(id, (s, now) -> saga.onHeartbeat(s, token, gpuUtil, idleSeconds, now));
    }
}
