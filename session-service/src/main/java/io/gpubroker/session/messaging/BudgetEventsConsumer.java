package io.gpubroker.session.messaging;

import io.gpubroker.contracts.BudgetExceeded;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionSteps;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
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
    private final SessionRepository sessions;
    private final SessionSteps steps;
    private final ProvisionSessionSaga saga;

    public BudgetEventsConsumer(
            Inbox inbox, SessionRepository sessions, SessionSteps steps, ProvisionSessionSaga saga) {
        this.inbox = inbox;
        this.sessions = sessions;
        this.steps = steps;
        this.saga = saga;
    }

    @Incoming("budget-events")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session tx, Envelope env) {
        if (!(env.event() instanceof BudgetExceeded e)) {
            return Uni.createFrom().voidItem();
        }
        return sessions.liveIdsOf(tx, e.consumerId()).chain(ids -> {
            LOG.warnf(
                    "consumer %s exceeded its %s budget (%s of %s): stopping %d sessions",
                    e.consumerId(), e.month(), e.spent(), e.budget(), ids.size());
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (String id : ids) {
                chain = chain.call(() -> steps.applyIn(tx, id, saga::onBudgetExceeded));
            }
            return chain;
        });
    }
}
