package io.gpubroker.billing.repository;

import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.contracts.SessionStarted;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Billing's rows per session ({@code session_accounts} when requested, {@code billed_sessions} once
 * started or ended), in the caller's transaction. The first start and the first end win: a replayed
 * event cannot move the billing window or the price.
 */
@ApplicationScoped
public class BilledSessionRepository {

    /** What the broker billed per instance of one provider, and in which currency. */
    public record BilledInstances(Map<String, BigDecimal> costs, String currency) {}

    /** Session accounts per insert statement: ten parameters each, far below PostgreSQL's 32,767. */
    static final int REQUESTED_CHUNK = 500;

    /**
     * Opens the accounts of {@code events} in multi-row inserts; a session already known keeps its
     * first request (also when it appears twice in the list: the earlier row wins).
     */
    public Uni<Void> requested(Mutiny.Session db, List<SessionRequested> events) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < events.size(); from += REQUESTED_CHUNK) {
            List<SessionRequested> chunk = events.subList(from, Math.min(events.size(), from + REQUESTED_CHUNK));
            chain = chain.chain(() -> insertRequested(db, chunk));
        }
        return chain;
    }

    private Uni<Void> insertRequested(Mutiny.Session db, List<SessionRequested> chunk) {
        StringBuilder sql = new StringBuilder("""
                insert into billing.session_accounts (session_id, consumer_id, offer_id, provider, gpu_type,
                    gpu_count, price_per_hour, currency, reservation_hours, requested_at)
                values """);
        for (int i = 0; i < chunk.size(); i++) {
            int p = 10 * i;
            sql.append(i == 0 ? "" : ", ").append('(');
            for (int c = 1; c <= 10; c++) {
                sql.append(c == 1 ? "?" : ", ?").append(p + c);
            }
            sql.append(')');
        }
        sql.append(" on conflict (session_id) do nothing");
        var query = db.createNativeQuery(sql.toString());
        for (int i = 0; i < chunk.size(); i++) {
            SessionRequested e = chunk.get(i);
            int p = 10 * i;
            query.setParameter(p + 1, e.sessionId())
                    .setParameter(p + 2, e.consumerId())
                    .setParameter(p + 3, e.offerId())
                    .setParameter(p + 4, e.provider())
                    .setParameter(p + 5, e.gpuType())
                    .setParameter(p + 6, e.gpuCount())
                    .setParameter(p + 7, e.pricePerHour())
                    .setParameter(p + 8, e.currency())
                    .setParameter(p + 9, e.reservationHours())
                    .setParameter(p + 10, Sql.ts(e.requestedAt()));
        }
        return query.executeUpdate().replaceWithVoid();
    }

    public Uni<Void> started(Mutiny.Session db, SessionStarted e) {
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
                .setParameter(1, e.sessionId())
                .setParameter(2, e.consumerId())
                .setParameter(3, e.provider())
                .setParameter(4, e.gpuType())
                .setParameter(5, e.gpuCount())
                .setParameter(6, e.instanceId())
                .setParameter(7, e.pricePerHour())
                .setParameter(8, e.currency() == null ? "USD" : e.currency())
                .setParameter(9, Sql.ts(e.startedAt()))
                .executeUpdate()
                .replaceWithVoid();
    }

    public Uni<Void> ended(
            Mutiny.Session db, String sessionId, String consumerId, String provider, String instanceId, Instant end) {
        return db.createNativeQuery("""
                        insert into billing.billed_sessions (session_id, consumer_id, provider, instance_id, ended_at)
                        values (?1, ?2, ?3, ?4, ?5)
                        on conflict (session_id) do update set
                            ended_at = coalesce(billed_sessions.ended_at, excluded.ended_at),
                            instance_id = coalesce(billed_sessions.instance_id, excluded.instance_id),
                            updated_at = clock_timestamp()""")
                .setParameter(1, sessionId)
                .setParameter(2, consumerId)
                .setParameter(3, provider)
                .setParameter(4, instanceId)
                .setParameter(5, Sql.ts(end))
                .executeUpdate()
                .replaceWithVoid();
    }

    /**
     * The broker's total per instance of {@code provider} over the window: the ledger of sessions that
     * started and ended at or after {@code since}, plus the instance charges (boot, destroy delay, failed
     * launches, orphans) of instances confirmed gone at or after it — the whole of what the broker
     * says each instance cost, as the provider bills the instance.
     */
    public Uni<BilledInstances> endedSince(Mutiny.Session db, String provider, Instant since) {
        return db.createNativeQuery("""
                        select instance_id, sum(cost), max(currency) from (
                            select instance_id, accrued_total as cost, currency from billing.billed_sessions
                            where provider = ?1 and instance_id is not null and started_at is not null
                              and ended_at is not null and ended_at >= ?2
                            union all
                            select instance_id, charged_total, coalesce(currency, 'USD') from billing.instance_charges
                            where provider = ?1 and charged_at is not null and note is null and gone_at >= ?2
                        ) c
                        group by instance_id""")
                .setParameter(1, provider)
                .setParameter(2, Sql.ts(since))
                .getResultList()
                .map(rows -> {
                    Map<String, BigDecimal> costs = new HashMap<>();
                    String currency = "USD";
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        costs.put(Sql.text(r[0]), Sql.money(r[1]));
                        currency = Sql.text(r[2]);
                    }
                    return new BilledInstances(costs, currency);
                });
    }
}
