package io.gpubroker.session.timer;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.service.SessionMetrics;
import io.gpubroker.session.service.SessionService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Every timer of every session (verification polling, expiry, hard max, idle, destroy retries) is
 * the session's {@code next_check_at}; due rows are claimed with FOR UPDATE SKIP LOCKED, so
 * replicas never act twice and a slow destroy never delays another session's expiry.
 */
@ApplicationScoped
public class LeaseTimers {
    private static final Logger LOG = Logger.getLogger(LeaseTimers.class);

    private final SessionService sessions;
    private final SessionMetrics metrics;
    private final Mutiny.SessionFactory db;
    private final StartupSweep sweep;
    private final AtomicBoolean running = new AtomicBoolean();

    public LeaseTimers(SessionService sessions, SessionMetrics metrics, Mutiny.SessionFactory db, StartupSweep sweep) {
        this.sessions = sessions;
        this.metrics = metrics;
        this.db = db;
        this.sweep = sweep;
    }

    @Scheduled(every = "${session.tick:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        if (!sweep.done() || !running.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return sessions.runDue(50)
                .onFailure().invoke(e -> LOG.warnf("timer round failed: %s", e.getMessage()))
                .onFailure().recoverWithItem(0)
                .eventually(() -> running.set(false))
                .replaceWithVoid();
    }

    /** gpu_sessions_active comes from the database every few seconds (never drifts, never negative). */
    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> gauges() {
        return refreshGauges();
    }

    public Uni<Void> refreshGauges() {
        return db.withSession(s -> s.createQuery(
                        "select provider, status, count(*) from Session where status in (:st) group by provider, status", Object[].class)
                        .setParameter("st", List.of(SessionStatus.pending, SessionStatus.provisioning, SessionStatus.running, SessionStatus.stopping))
                        .getResultList())
                .invoke(rows -> metrics.setActive(rows.stream()
                        .map(r -> new SessionMetrics.ActiveRow((String) r[0], r[1].toString(), ((Number) r[2]).longValue())).toList()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
