package io.gpubroker.billing.messaging;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.billing.ledger.AccrualService;
import io.gpubroker.billing.ledger.Sql;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.smallrye.mutiny.Uni;
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
    private final AccrualService accruals;

    public SessionEventsConsumer(Inbox inbox, AccrualService accruals) {
        this.inbox = inbox;
        this.accruals = accruals;
    }

    @Incoming("session-events")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session db, Envelope env) {
        if (env.event() instanceof SessionRequested e) {
            return requested(db, e);
        }
        if (env.event() instanceof SessionStarted e) {
            return started(db, e);
        }
        if (env.event() instanceof SessionStopped e) {
            return ended(db, e.sessionId(), e.consumerId(), e.provider(), e.instanceId(), e.stoppedAt());
        }
        if (env.event() instanceof SessionFailed e) {
            // a failed session that had started bills until its instance was confirmed gone (ended_at);
            // one without ended_at is closed at failed_at rather than left billing forever
            return ended(db, e.sessionId(), e.consumerId(), e.provider(), e.instanceId(),
                    e.endedAt() != null ? e.endedAt() : e.failedAt());
        }
        // provisioning / extension / stopping change nothing billable; recording their id keeps replays cheap
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> requested(Mutiny.Session db, SessionRequested e) {
        return db.createNativeQuery("""
                        insert into billing.session_accounts (session_id, consumer_id, offer_id, provider, gpu_type,
                            gpu_count, price_per_hour, currency, reservation_hours, requested_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                        on conflict (session_id) do nothing""")
                .setParameter(1, e.sessionId()).setParameter(2, e.consumerId()).setParameter(3, e.offerId())
                .setParameter(4, e.provider()).setParameter(5, e.gpuType()).setParameter(6, e.gpuCount())
                .setParameter(7, e.pricePerHour()).setParameter(8, e.currency()).setParameter(9, e.reservationHours())
                .setParameter(10, OffsetDateTime.ofInstant(e.requestedAt(), ZoneOffset.UTC))
                .executeUpdate().replaceWithVoid();
    }

    private Uni<Void> started(Mutiny.Session db, SessionStarted e) {
        // the first start wins: a replayed start cannot move the billing window or the price
        return db.createNativeQuery("""
                        insert into billing.billed_sessions (session_id, consumer_id, provider, gpu_type, gpu_count,
                            instance_id, price_per_hour, currency, started_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                        on conflict (session_id) do update set
                            started_at = coalesce(billed_sessions.started_at, excluded.started_at),
                            currency = case when billed_sessions.price_per_hour is null then excluded.currency
                                            else billed_sessions.currency end,
                            price_per_hour = coalesce(billed_sessions.price_per_hour, excluded.price_per_hour),
                            gpu_type = coalesce(billed_sessions.gpu_type, excluded.gpu_type),
                            gpu_count = coalesce(billed_sessions.gpu_count, excluded.gpu_count),
                            instance_id = coalesce(billed_sessions.instance_id, excluded.instance_id),
                            updated_at = clock_timestamp()""")
                .setParameter(1, e.sessionId()).setParameter(2, e.consumerId()).setParameter(3, e.provider())
                .setParameter(4, e.gpuType()).setParameter(5, e.gpuCount()).setParameter(6, e.instanceId())
                .setParameter(7, e.pricePerHour()).setParameter(8, e.currency() == null ? "USD" : e.currency())
                .setParameter(9, Sql.ts(e.startedAt()))
                .executeUpdate()
                // the end may already be known (stop seen first): then the ledger is closed now
                .chain(() -> accruals.finalizeEnded(db, e.sessionId()))
                .replaceWithVoid();
    }

    private Uni<Void> ended(Mutiny.Session db, String sessionId, String consumerId, String provider, String instanceId,
                            Instant end) {
        // the first end wins, like the first start; a later contradicting end is a replay artefact
        return db.createNativeQuery("""
                        insert into billing.billed_sessions (session_id, consumer_id, provider, instance_id, ended_at)
                        values (?1, ?2, ?3, ?4, ?5)
                        on conflict (session_id) do update set
                            ended_at = coalesce(billed_sessions.ended_at, excluded.ended_at),
                            instance_id = coalesce(billed_sessions.instance_id, excluded.instance_id),
                            updated_at = clock_timestamp()""")
                .setParameter(1, sessionId).setParameter(2, consumerId).setParameter(3, provider)
                .setParameter(4, instanceId).setParameter(5, Sql.ts(end))
                .executeUpdate()
                .chain(() -> accruals.finalizeEnded(db, sessionId))
                .replaceWithVoid();
    }
}
