package io.gpubroker.session.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.contracts.BudgetExceeded;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.service.SessionService;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/** A consumer over budget: every live session of it is terminated (verified, like any termination). */
@ApplicationScoped
public class BudgetEventsConsumer {
    private static final Logger LOG = Logger.getLogger(BudgetEventsConsumer.class);
    static final String CONSUMER = "session.budget-events";

    private final Inbox inbox;
    private final SessionService sessions;

    public BudgetEventsConsumer(Inbox inbox, SessionService sessions) {
        this.inbox = inbox;
        this.sessions = sessions;
    }

    @Incoming("budget-events")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session tx, Envelope env) {
        if (!(env.event() instanceof BudgetExceeded e)) {
            return Uni.createFrom().voidItem();
        }
        return tx.createQuery("select id from Session where consumerId = :c and status in (:st)", String.class)
                .setParameter("c", e.consumerId())
                .setParameter("st", List.of(SessionStatus.pending, SessionStatus.provisioning, SessionStatus.running))
                .getResultList()
                .chain(ids -> {
                    LOG.warnf("consumer %s exceeded its %s budget (%s of %s): stopping %d sessions",
                            e.consumerId(), e.month(), e.spent(), e.budget(), ids.size());
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (String id : ids) {
                        chain = chain.call(() -> sessions.applyIn(tx, id,
                                (s, now) -> sessions.saga().stop(s, "budget_exceeded", SessionStatus.stopped, now)));
                    }
                    return chain;
                });
    }
}
