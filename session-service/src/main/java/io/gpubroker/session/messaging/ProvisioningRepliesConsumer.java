package io.gpubroker.session.messaging;

import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.TerminateFailed;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.repository.SessionRepository;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.RetryPlanner;
import io.gpubroker.session.service.SessionMetrics;
import io.gpubroker.session.service.SessionSteps;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Feeds provider-gateway's outcomes into the saga, exactly once per reply. When the saga wants
 * another offer for a failure, the offer is looked up first and handed to it with the reply.
 */
@ApplicationScoped
public class ProvisioningRepliesConsumer {
    static final String CONSUMER = "session.provisioning-replies";

    private final Inbox inbox;
    private final SessionSteps steps;
    private final SessionRepository sessions;
    private final ProvisionSessionSaga saga;
    private final SessionMetrics metrics;
    private final RetryPlanner retries;

    public ProvisioningRepliesConsumer(
            Inbox inbox,
            SessionSteps steps,
            SessionRepository sessions,
            ProvisionSessionSaga saga,
            SessionMetrics metrics,
            RetryPlanner retries) {
        this.inbox = inbox;
        this.steps = steps;
        this.sessions = sessions;
        this.saga = saga;
        this.metrics = metrics;
        this.retries = retries;
    }

    @Incoming("provisioning-replies")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session tx, Envelope env) {
        if (env.event() instanceof InstanceProvisioned e) {
            return steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onProvisioned(s, e, now));
        }
        if (env.event() instanceof ProvisionFailed e) {
            return sessions.find(tx, e.sessionId())
                    .chain(s -> s == null || !saga.wantsOfferAfter(s, e)
                            ? Uni.createFrom().<Offer>nullItem()
                            : retries.nextOffer(s, e.machineId()))
                    .chain(next ->
                            steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onProvisionFailed(s, e, next, now)));
        }
        if (env.event() instanceof InstanceStatus e) {
            return steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onStatus(s, e, now));
        }
        if (env.event() instanceof InstanceTerminated e) {
            // a host that failed verification is gone: with auto_retry the session moves to another offer
            return sessions.find(tx, e.sessionId())
                    .chain(s -> s == null || !saga.wantsOfferAfterDestroy(s)
                            ? Uni.createFrom().<Offer>nullItem()
                            : retries.nextOffer(s, s.offer.machineId))
                    .chain(next -> steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onTerminated(s, e, next, now)));
        }
        if (env.event() instanceof TerminateFailed e) {
            metrics.destroyFailed(e.provider());
            return steps.applyIn(tx, e.sessionId(), (s, now) -> saga.onTerminateFailed(s, e, now));
        }
        return Uni.createFrom().voidItem();
    }
}
