package io.gpubroker.billing.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.kit.messaging.Envelope;
import io.gpubroker.kit.messaging.Inbox;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;

/** Billing's view of sessions, built from {@code session.events} exactly once per event. */
@ApplicationScoped
public class SessionEventsConsumer {
    static final String CONSUMER = "billing.session-events";

    private final Inbox inbox;

    public SessionEventsConsumer(Inbox inbox) {
        this.inbox = inbox;
    }

    @Incoming("session-events")
    public Uni<Void> consume(Message<String> msg) {
        return inbox.handle(msg, CONSUMER, this::apply);
    }

    Uni<Void> apply(Mutiny.Session db, Envelope env) {
        if (env.event() instanceof SessionRequested e) {
            return db.createNativeQuery("""
                            insert into billing.session_accounts (session_id, consumer_id, offer_id, provider, gpu_type,
                                gpu_count, price_per_hour, currency, reservation_hours, requested_at)
                            values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                            on conflict (session_id) do nothing""")
                    .setParameter(1, e.sessionId()).setParameter(2, e.consumerId()).setParameter(3, e.offerId())
                    .setParameter(4, e.provider()).setParameter(5, e.gpuType()).setParameter(6, e.gpuCount())
                    .setParameter(7, e.pricePerHour()).setParameter(8, e.currency()).setParameter(9, e.reservationHours())
                    .setParameter(10, java.time.OffsetDateTime.ofInstant(e.requestedAt(), java.time.ZoneOffset.UTC))
                    .executeUpdate().replaceWithVoid();
        }
        // other session events are billed by the ledger issue; recording their id keeps replays cheap
        return Uni.createFrom().voidItem();
    }
}
