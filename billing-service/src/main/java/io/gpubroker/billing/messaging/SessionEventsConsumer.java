package io.gpubroker.billing.messaging;

import io.gpubroker.billing.service.InstanceCosts;
import io.gpubroker.billing.service.SessionBilling;
import io.gpubroker.contracts.InstanceCreated;
import io.gpubroker.contracts.InstanceGone;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Billing's view of sessions, built from {@code session.events} exactly once per event:
 * SessionStarted opens billing at started_at and price_per_hour, SessionStopped / SessionFailed
 * close it at the exact end; InstanceCreated / InstanceGone give every instance's provider billing
 * window, charged where no session covers it ({@link InstanceCosts}). Either end may arrive first (a replay, a partition lag): the row keeps
 * whatever is known, and the ledger is written once both ends are.
 *
 * <p>Consumes a whole poll per transaction (the channel runs in batch mode, docs/adr/0015): the
 * SessionRequested events of a batch become one multi-row insert (they only write
 * {@code session_accounts}, which no other event touches), every other event is applied in the
 * order it arrived, which is offset order per session since a session's events share a partition.
 */
@ApplicationScoped
public class SessionEventsConsumer {
    static final String CONSUMER = "billing.session-events";

    private final Inbox inbox;
    private final SessionBilling billing;
    private final InstanceCosts instances;

    public SessionEventsConsumer(Inbox inbox, SessionBilling billing, InstanceCosts instances) {
        this.inbox = inbox;
        this.billing = billing;
        this.instances = instances;
    }

    @Incoming("session-events")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return consume(batch, batch.getRecords());
    }

    /** One poll: {@code batch} is acked once each of {@code records} is applied, skipped or dead-lettered. */
    public Uni<Void> consume(Message<?> batch, List<? extends Message<String>> records) {
        return inbox.handleBatch(batch, records, CONSUMER, this::applyAll, this::apply);
    }

    Uni<Void> applyAll(Mutiny.Session db, List<Envelope> envelopes) {
        List<SessionRequested> requested = new ArrayList<>();
        List<Envelope> others = new ArrayList<>();
        for (Envelope env : envelopes) {
            if (env.event() instanceof SessionRequested e) {
                requested.add(e);
            } else {
                others.add(env);
            }
        }
        Uni<Void> chain = billing.requested(db, requested);
        for (Envelope env : others) {
            chain = chain.chain(() -> apply(db, env));
        }
        return chain;
    }

    Uni<Void> apply(Mutiny.Session db, Envelope env) {
        if (env.event() instanceof SessionRequested e) {
            return billing.requested(db, List.of(e));
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
        if (env.event() instanceof InstanceCreated e) {
            return instances.created(db, e);
        }
        if (env.event() instanceof InstanceGone e) {
            // after the session's own end (published before it): the session ledger's window is known here
            return instances.gone(db, e);
        }
        // provisioning / extension / stopping change nothing billable; recording their id keeps replays cheap
        return Uni.createFrom().voidItem();
    }
}
