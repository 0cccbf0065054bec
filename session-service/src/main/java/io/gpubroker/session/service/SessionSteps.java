package io.gpubroker.session.service;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.messaging.LogContext;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.effects.SessionEffects;
import io.gpubroker.session.repository.OrphanRepository;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.saga.Step;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Runs one saga step against a session: locks the row, lets the saga decide, and stores the new
 * state with the events and commands it produced (outbox) in ONE transaction; the step's side
 * effect starts only after the commit.
 */
@ApplicationScoped
public class SessionSteps {
    private static final Logger LOG = Logger.getLogger(SessionSteps.class);

    private final Mutiny.SessionFactory db;
    private final SessionRepository sessions;
    private final OrphanRepository orphans;
    private final OutboxWriter outbox;
    private final BrokerClock.Scaled clock;
    private final SessionMetrics metrics;
    private final SessionEffects effects;

    public SessionSteps(
            Mutiny.SessionFactory db,
            SessionRepository sessions,
            OrphanRepository orphans,
            OutboxWriter outbox,
            BrokerClock.Scaled clock,
            SessionMetrics metrics,
            SessionEffects effects) {
        this.db = db;
        this.sessions = sessions;
        this.orphans = orphans;
        this.outbox = outbox;
        this.clock = clock;
        this.metrics = metrics;
        this.effects = effects;
    }

    /** Which offer a session was on before a step: a step that moves it to another offer closes that attempt. */
    record Attempt(int n, String offerId, String provider, SessionStatus status) {
        static Attempt of(Session s) {
            return new Attempt(s.saga.retryCount, s.offer.offerId, s.offer.provider, s.status);
        }
    }

    /**
     * Locks the session, runs one saga step in a transaction (state + outbox together), then runs
     * the step's side effect. Returns the committed session.
     */
    public Uni<Session> apply(String id, BiFunction<Session, Instant, Step> decide) {
        logContext(id);
        Instant now = clock.instant();
        Step[] holder = new Step[1];
        SessionStatus[] before = new SessionStatus[1];
        return db.withTransaction(tx -> sessions.lock(tx, id)
                        .onItem()
                        .ifNull()
                        .failWith(() -> ApiException.notFound("session " + id + " not found"))
                        .chain(s -> {
                            logContext(s);
                            before[0] = s.status;
                            Attempt was = Attempt.of(s);
                            Step step = decide.apply(s, now);
                            holder[0] = step;
                            return store(tx, s, was, step, now).replaceWith(s);
                        }))
                .invoke(s -> afterCommit(s, before[0], holder[0]));
    }

    /** Same as {@link #apply} inside a caller's transaction (message consumers: the Inbox owns the transaction). */
    public Uni<Void> applyIn(Mutiny.Session tx, String id, BiFunction<Session, Instant, Step> decide) {
        logContext(id);
        Instant now = clock.instant();
        return sessions.lock(tx, id).chain(s -> {
            if (s == null) {
                LOG.warnf("reply for unknown session %s ignored", id);
                return Uni.createFrom().voidItem();
            }
            logContext(s);
            SessionStatus before = s.status;
            Attempt was = Attempt.of(s);
            Step step = decide.apply(s, now);
            provisioned(s, before);
            if (before != s.status && !s.status.live() && s.status != SessionStatus.stopping) {
                metrics.ended(
                        s.offer.provider,
                        s.status.name(),
                        s.saga.stopReason != null ? s.saga.stopReason : s.saga.errorClass);
            }
            return store(tx, s, was, step, now);
        });
    }

    /** Stores a new session with its first step (attempt 0 {@code requested}, the step's events and commands). */
    public Uni<Void> insert(Mutiny.Session tx, Session s, List<? extends BrokerEvent> events, Instant now) {
        return sessions.insert(tx, s)
                .call(() -> sessions.recordAttempt(
                        tx, s.id, s.saga.retryCount, s.offer.offerId, s.offer.provider, "requested", null, now))
                .call(() -> append(tx, events));
    }

    /** Appends a step that belongs to no locked session (reconciliation, startup) in the caller's transaction. */
    public Uni<Void> append(Mutiny.Session tx, Step step) {
        return append(tx, step.events());
    }

    public Instant now() {
        return clock.instant();
    }

    private Uni<Void> store(Mutiny.Session tx, Session s, Attempt was, Step step, Instant now) {
        s.updatedAt = now;
        ProvisionSessionSaga.endAccess(s);
        return append(tx, step.events())
                .call(() -> attempts(tx, was, s, now))
                .call(() -> rememberUnwanted(tx, step, now));
    }

    private Uni<Void> append(Mutiny.Session tx, List<? extends BrokerEvent> events) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (BrokerEvent e : events) {
            chain = chain.call(() -> outbox.append(tx, "session", e));
        }
        return chain;
    }

    /** Keeps the auto-retry chain readable: every offer tried, with how it ended. */
    private Uni<Void> attempts(Mutiny.Session tx, Attempt was, Session s, Instant now) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        if (was.n() != s.saga.retryCount) {
            String why = s.saga.lastAttemptFailure != null ? s.saga.lastAttemptFailure : "failed";
            chain = chain.call(() ->
                    sessions.recordAttempt(tx, s.id, was.n(), was.offerId(), was.provider(), "retried", why, now));
        }
        if (was.n() != s.saga.retryCount || was.status() != s.status) {
            String outcome = s.status == SessionStatus.stopping ? "stopping" : s.status.name();
            chain = chain.call(() -> sessions.recordAttempt(
                    tx,
                    s.id,
                    s.saga.retryCount,
                    s.offer.offerId,
                    s.offer.provider,
                    was.n() != s.saga.retryCount ? "requested" : outcome,
                    s.saga.failureReason,
                    now));
        }
        return chain;
    }

    /** Unwanted instances are kept as orphans until gone, so the reconciliation commands them again if needed. */
    private Uni<Void> rememberUnwanted(Mutiny.Session tx, Step step, Instant now) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (var t : step.unwanted()) {
            LOG.warnf(
                    "session %s: destroying %s instance %s at once (%s)",
                    t.sessionId(), t.provider(), t.instanceId(), t.reason());
            metrics.unwantedInstance(t.provider());
            chain = chain.call(() ->
                    orphans.commandNow(tx, t.provider(), t.instanceId(), "session:" + t.sessionId(), t.reason(), now));
        }
        return chain;
    }

    /** This step's session, and no other session's consumer or provider until it is loaded. */
    private static void logContext(String id) {
        LogContext.put("session_id", id);
        LogContext.put("consumer_id", null);
        LogContext.put("provider", null);
    }

    /** What this step logs names its session's consumer and provider too (JSON logs' fields). */
    private static void logContext(Session s) {
        LogContext.put("consumer_id", s.consumerId);
        LogContext.put("provider", s.offer == null ? null : s.offer.provider);
    }

    /** A session that just turned running: how long it took from the request (broker clock, as its timestamps). */
    private void provisioned(Session s, SessionStatus before) {
        if (before != SessionStatus.running && s.status == SessionStatus.running && s.lease.startedAt != null) {
            metrics.provisioned(
                    s.offer.provider,
                    Duration.between(s.lease.createdAt, s.lease.startedAt).toMillis() / 1000.0);
        }
    }

    private void afterCommit(Session s, SessionStatus before, Step step) {
        provisioned(s, before);
        StopReason reason = s.saga.stopReason();
        if (before == SessionStatus.running
                && s.status == SessionStatus.stopping
                && (reason == StopReason.expired || reason == StopReason.hard_max)) {
            Instant due = reason == StopReason.expired ? s.lease.expiresAt : s.lease.hardMaxAt;
            double simLag = Duration.between(due, s.updatedAt).toMillis() / 1000.0;
            metrics.expiryLag(s.saga.stopReason, Math.max(0, simLag) / clock.scale());
        }
        if (before != s.status && !s.status.live() && s.status != SessionStatus.stopping) {
            metrics.ended(
                    s.offer.provider,
                    s.status.name(),
                    s.saga.stopReason != null ? s.saga.stopReason : s.saga.errorClass);
        }
        effects.run(s, step.action());
    }
}
