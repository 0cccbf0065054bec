package io.gpubroker.billing.messaging;

import io.gpubroker.billing.service.SessionBilling;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Billing's view of sessions, built from {@code session.events} exactly once per event:
 * SessionStarted opens billing at started_at and price_per_hour, SessionStopped / SessionFailed
 * close it at the exact end. Either may arrive first (a replay, a partition lag): the row keeps
 * whatever is known, and the ledger is written once both ends are.
 */
@ApplicationScoped
public class SessionEventsConsumer {
    static final String CONSUMER = "billing.session-events";

    private final Inbox inbox;
    private final SessionBilling billing;

    public SessionEventsConsumer(Inbox inbox, SessionBilling billing) {
        this.inbox = inbox;
        this.billing = billing;
    }

    @Incoming("session-events")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session db, Envelope env) {
        if (env.event() instanceof SessionRequested e) {
            return billing.requested(db, e);
        }
        if (env.event() instanceof SessionStarted e) {
            return billing.started(db, e);
        }
        if (env.event() instanceof SessionStopped e) {
            return billing.ended(db, e.sessionId(), e.consumerId(), e.provider(), e.instanceId(), e.stoppedAt());
        }
        if (env.event() instanceof SessionFailed e) {
            // a failed session that had started bills until its instance was confirmed gone (ended_at);
            // one without ended_at is closed at failed_at rather than left billing forever
            return billing.ended(
                    db,
                    e.sessionId(),
                    e.consumerId(),
                    e.provider(),
                    e.instanceId(),
                    e.endedAt() != null ? e.endedAt() : e.failedAt());
        }
        // provisioning / extension / stopping change nothing billable; recording their id keeps replays cheap
        return Uni.createFrom().voidItem();
    }
}
