package io.gpubroker.session.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.InstanceTerminated;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.TerminateFailed;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.RetryPlanner;
import io.gpubroker.session.service.SessionMetrics;
import io.gpubroker.session.service.SessionService;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;

/** Feeds provider-gateway's outcomes into the saga, exactly once per reply. */
@ApplicationScoped
public class ProvisioningRepliesConsumer {
    static final String CONSUMER = "session.provisioning-replies";

    private final Inbox inbox;
    private final SessionService sessions;
    private final SessionMetrics metrics;
    private final RetryPlanner retries;

    public ProvisioningRepliesConsumer(Inbox inbox, SessionService sessions, SessionMetrics metrics, RetryPlanner retries) {
        this.inbox = inbox;
        this.sessions = sessions;
        this.metrics = metrics;
        this.retries = retries;
    }

    @Incoming("provisioning-replies")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session tx, Envelope env) {
        var saga = sessions.saga();
        if (env.event() instanceof InstanceProvisioned e) {
            return sessions.applyIn(tx, e.sessionId(), (s, now) -> saga.onProvisioned(s, e, now));
        }
        if (env.event() instanceof ProvisionFailed e) {
            // a failure of an older attempt (before an auto-retry moved the session) is stale
            return retries.plan(e).chain(next -> sessions.applyIn(tx, e.sessionId(), (s, now) ->
                    s.status == io.gpubroker.session.domain.SessionStatus.pending && ProvisionSessionSaga.currentCreate(s, e.commandId())
                            && ProvisionSessionSaga.mayRetry(s, next, e)
                            ? saga.retryOn(s, next, e.errorClass() + ": " + e.message(), now)
                            : saga.onProvisionFailed(s, e, now)));
        }
        if (env.event() instanceof InstanceStatus e) {
            return sessions.applyIn(tx, e.sessionId(), (s, now) -> saga.onStatus(s, e, now));
        }
        if (env.event() instanceof InstanceTerminated e) {
            // a host that failed verification is gone: with auto_retry the session moves to another offer
            return tx.find(io.gpubroker.session.domain.Session.class, e.sessionId())
                    .chain(found -> found == null || found.status != io.gpubroker.session.domain.SessionStatus.stopping
                            || found.finalStatus != io.gpubroker.session.domain.SessionStatus.failed
                            ? Uni.createFrom().<io.gpubroker.session.client.Offer>nullItem() : retries.planAfterDestroy(found))
                    .chain(next -> sessions.applyIn(tx, e.sessionId(), (s, now) -> next != null && s.autoRetry
                            && s.retryCount < s.maxRetries
                            ? saga.onTerminatedRetry(s, e, next, now)
                            : saga.onTerminated(s, e, now)));
        }
        if (env.event() instanceof TerminateFailed e) {
            metrics.destroyFailed(e.provider());
            return sessions.applyIn(tx, e.sessionId(), (s, now) -> saga.onTerminateFailed(s, e, now));
        }
        return Uni.createFrom().voidItem();
    }
}
