package io.gpubroker.session.timer;

import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.vertx.SafeContext;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionSteps;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Before this service reports ready, every in-flight saga is resumed: pending, provisioning and
 * stopping sessions are due now (verification goes on where it stopped, destroys are retried),
 * and every running session's instance is looked up at its provider. Nothing is terminated
 * because of a restart, and nothing is promoted to running without SSH verification.
 */
@ApplicationScoped
public class StartupSweep {
    private static final Logger LOG = Logger.getLogger(StartupSweep.class);

    private final Mutiny.SessionFactory db;
    private final BrokerClock.Scaled clock;
    private final SessionRepository sessions;
    private final ProvisionSessionSaga saga;
    private final SessionSteps steps;
    private volatile boolean done;
    private volatile String summary = "not started";

    public StartupSweep(
            Mutiny.SessionFactory db,
            BrokerClock.Scaled clock,
            SessionRepository sessions,
            ProvisionSessionSaga saga,
            SessionSteps steps) {
        this.db = db;
        this.clock = clock;
        this.sessions = sessions;
        this.saga = saga;
        this.steps = steps;
    }

    void onStart(@Observes StartupEvent ev, Vertx vertx) {
        SafeContext.run(vertx.getDelegate(), this::sweep)
                .subscribe()
                .with(
                        n -> {
                            summary = n + " in-flight sessions resumed";
                            done = true;
                            LOG.info("startup sweep: " + summary);
                        },
                        e -> {
                            summary = "sweep failed: " + e.getMessage();
                            LOG.error("startup sweep failed; retrying", e);
                            vertx.getDelegate().setTimer(2000, t -> onStart(ev, vertx));
                        });
    }

    Uni<Integer> sweep() {
        Instant now = clock.instant();
        return db.withTransaction(tx -> sessions.makeInFlightDue(tx, now)
                .call(n -> sessions.runningWithInstance(tx).chain(running -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Session s : running) {
                        chain = chain.call(() -> steps.append(tx, saga.onResumed(s, clock.instant())));
                    }
                    return chain;
                })));
    }

    public boolean done() {
        return done;
    }

    public String summary() {
        return summary;
    }
}
