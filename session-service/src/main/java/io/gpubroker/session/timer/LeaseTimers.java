package io.gpubroker.session.timer;

import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionMetrics;
import io.gpubroker.session.service.SessionSteps;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Every timer of every session (verification polling, expiry, hard max, idle, destroy retries) is
 * the session's {@code next_check_at}; due rows are claimed with FOR UPDATE SKIP LOCKED, so
 * replicas never act twice and a slow destroy never delays another session's expiry.
 */
@ApplicationScoped
public class LeaseTimers {
    private static final Logger LOG = Logger.getLogger(LeaseTimers.class);

    private final SessionRepository sessions;
    private final SessionSteps steps;
    private final ProvisionSessionSaga saga;
    private final SessionMetrics metrics;
    private final BrokerClock.Scaled clock;
    private final StartupSweep sweep;
    private final AtomicBoolean running = new AtomicBoolean();

    public LeaseTimers(
            SessionRepository sessions,
            SessionSteps steps,
            ProvisionSessionSaga saga,
            SessionMetrics metrics,
            BrokerClock.Scaled clock,
            StartupSweep sweep) {
        this.sessions = sessions;
        this.steps = steps;
        this.saga = saga;
        this.metrics = metrics;
        this.clock = clock;
        this.sweep = sweep;
    }

    @Scheduled(every = "${session.tick:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        if (!sweep.done() || !running.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return runDue(50)
                .onFailure()
                .invoke(e -> LOG.warnf("timer round failed: %s", e.getMessage()))
                .onFailure()
                .recoverWithItem(0)
                .eventually(() -> running.set(false))
                .replaceWithVoid();
    }

    /** Claims due sessions (with a lease so a crash re-fires them) and runs their step, one after the other. */
    public Uni<Integer> runDue(int max) {
        Instant now = clock.instant();
        Instant lease = now.plus(Duration.ofMillis(Math.max(30_000, (long) (30_000 * clock.scale()))));
        return sessions.claimDue(now, lease, max).chain(ids -> {
            // one after the other: a reactive session is not shared by concurrent transactions
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (String id : ids) {
                chain = chain.call(() -> steps.apply(id, saga::onCheck)
                        .onFailure()
                        .invoke(e -> LOG.warnf("step of %s failed: %s", id, e.getMessage()))
                        .onFailure()
                        .recoverWithNull());
            }
            return chain.replaceWith(ids.size());
        });
    }

    /** gpu_sessions_active comes from the database every few seconds (never drifts, never negative). */
    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> gauges() {
        return refreshGauges();
    }

    public Uni<Void> refreshGauges() {
        return sessions.activeCounts()
                .invoke(rows -> metrics.setActive(rows.stream()
                        .map(r -> new SessionMetrics.ActiveRow(r.provider(), r.status(), r.count()))
                        .toList()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }
}
