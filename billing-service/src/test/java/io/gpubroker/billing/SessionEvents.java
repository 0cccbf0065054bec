package io.gpubroker.billing;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.SessionFailed;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Builds and sends session events the way session-service's outbox does (key, id and eventType headers). */
final class SessionEvents {
    private SessionEvents() {}

    static SessionStarted started(
            String session, String consumer, String provider, String gpu, String price, Instant at, String instanceId) {
        return new SessionStarted(
                session,
                consumer,
                provider,
                provider + "-offer-1",
                gpu,
                1,
                new BigDecimal(price),
                "USD",
                instanceId,
                at);
    }

    static SessionStopped stopped(String session, String consumer, String provider, Instant at) {
        return new SessionStopped(session, consumer, provider, null, "done", null, at);
    }

    static SessionFailed failed(
            String session, String consumer, String provider, Instant started, Instant ended, Instant failed) {
        return new SessionFailed(
                session, consumer, provider, null, null, "ssh verification failed", "ssh", started, ended, failed);
    }

    /** Sends with a fresh event id; returns the id (send it again with {@link #send(BrokerEvent, String)} to duplicate). */
    static String send(BrokerEvent e) {
        return send(e, UUID.randomUUID().toString());
    }

    static String send(BrokerEvent e, String eventId) {
        KafkaProbe.send(
                Topics.SESSION_EVENTS,
                e.aggregateId(),
                EventCatalog.toJson(e),
                Topics.HEADER_EVENT_ID,
                eventId,
                Topics.HEADER_EVENT_TYPE,
                e.getClass().getSimpleName());
        return eventId;
    }

    static String sql(String query) {
        return TestStack.get().postgres().query("gpubroker", query);
    }

    /** The session's ledger total to the micro-dollar (steps are stored to 1e-10, so sums of thirds carry ~1e-10 noise). */
    static BigDecimal ledgerTotal(String session) {
        return new BigDecimal(sql("select coalesce(sum(amount), 0) from billing.ledger_entries where session_id = '"
                        + session + "'"))
                .setScale(6, java.math.RoundingMode.HALF_UP);
    }

    static boolean ended(String session) {
        return "1"
                .equals(sql("select count(*) from billing.billed_sessions where session_id = '" + session
                        + "' and ended_at is not null and started_at is not null and accrued_until = ended_at"));
    }
}
