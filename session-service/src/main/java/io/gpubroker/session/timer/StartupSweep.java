package io.gpubroker.session.timer;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.gpubroker.contracts.DescribeInstance;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.gpubroker.kit.vertx.SafeContext;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
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
    private final OutboxWriter outbox;
    private volatile boolean done;
    private volatile String summary = "not started";

    public StartupSweep(Mutiny.SessionFactory db, BrokerClock.Scaled clock, OutboxWriter outbox) {
        this.db = db;
        this.clock = clock;
        this.outbox = outbox;
    }

    void onStart(@Observes StartupEvent ev, Vertx vertx) {
        SafeContext.run(vertx.getDelegate(), this::sweep).subscribe().with(
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
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        return db.withTransaction(tx -> tx.createNativeQuery("""
                        update session.sessions set next_check_at = ?1
                        where status in ('pending', 'provisioning', 'stopping')""")
                .setParameter(1, now).executeUpdate()
                .call(n -> tx.createQuery("from Session where status = :st and instanceId is not null", Session.class)
                        .setParameter("st", SessionStatus.running).getResultList()
                        .chain(running -> {
                            // a direct lookup per running instance: the replies reconcile what changed while we were down
                            Uni<Void> chain = Uni.createFrom().voidItem();
                            for (Session s : running) {
                                chain = chain.call(() -> outbox.append(tx, "session", new DescribeInstance(
                                        UUID.randomUUID().toString(), s.id, s.provider, s.instanceId, clock.instant())));
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
