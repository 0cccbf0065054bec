package io.gpubroker.billing.repository;

import io.gpubroker.billing.domain.Accrual;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The cost ledger: one row per session and UTC minute, {@code amount = price_per_hour × seconds / 3600}.
 * Whole minutes are written while a session runs; when its end is known the steps are rewritten
 * up to the exact end (the last step pro-rated, later steps removed). Every write is keyed by
 * (session, minute), so replays and duplicates cannot charge twice. All methods run in the
 * caller's transaction and expect the session row to be locked by it. {@code billing.daily_costs}
 * (the rollup the reports read) follows every statement here through the ledger's triggers (V3).
 */
@ApplicationScoped
public class LedgerRepository {

    /** Steps for every row of a source with (session_id, consumer_id, provider, gpu_type, currency, price_per_hour, started_at, from_ts, until_ts). */
    private static String steps(String source, String onConflict) {
        return """
                insert into billing.ledger_entries (session_id, minute, seconds, amount, consumer_id, provider, gpu_type, currency)
                select src.session_id, m.minute, st.secs, round(src.price_per_hour * st.secs / 3600, 10),
                       src.consumer_id, src.provider, src.gpu_type, src.currency
                from %s src
                cross join lateral generate_series(date_trunc('minute', greatest(src.from_ts, src.started_at), 'UTC'),
                                                   src.until_ts - interval '1 microsecond', interval '1 minute') as m(minute)
                cross join lateral (select round(extract(epoch from least(m.minute + interval '1 minute', src.until_ts)
                                                 - greatest(m.minute, src.started_at)), 3) as secs) st
                where src.until_ts > greatest(src.from_ts, src.started_at) and st.secs > 0
                %s
                returning session_id, amount""".formatted(source, onConflict);
    }

    /**
     * Writes the whole minutes before {@code until} (a minute boundary) for up to {@code limit}
     * running sessions. Sessions locked by a concurrent stop are skipped (the stop writes them),
     * so two replicas or an accrual racing a stop never write a minute past the session's end.
     */
    public Uni<List<Accrual>> accrueRunning(Mutiny.Session db, Instant until, int limit) {
        String sql = """
                with due as (
                    select session_id, consumer_id, provider, gpu_type, currency, price_per_hour, started_at,
                           coalesce(accrued_until, started_at) as from_ts, cast(?1 as timestamptz) as until_ts
                    from billing.billed_sessions
                    where started_at is not null and ended_at is null and price_per_hour is not null
                      and coalesce(accrued_until, started_at) < cast(?1 as timestamptz)
                    order by session_id
                    limit ?2
                    for update skip locked
                ), steps as (
                    %s
                ), delta as (
                    select session_id, sum(amount) as amount from steps group by session_id
                )
                update billing.billed_sessions b
                   set accrued_until = due.until_ts, accrued_total = b.accrued_total + coalesce(delta.amount, 0),
                       updated_at = clock_timestamp()
                  from due left join delta on delta.session_id = due.session_id
                 where b.session_id = due.session_id
                returning b.session_id, b.consumer_id, b.provider, b.gpu_type, b.currency, coalesce(delta.amount, 0),
                          b.accrued_total, b.accrued_until""".formatted(steps("due", "on conflict (session_id, minute) do nothing"));
        return db.createNativeQuery(sql)
                .setParameter(1, Sql.ts(until))
                .setParameter(2, limit)
                .getResultList()
                .map(rows -> {
                    List<Accrual> out = new ArrayList<>(rows.size());
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        out.add(new Accrual(
                                Sql.text(r[0]),
                                Sql.text(r[1]),
                                Sql.text(r[2]),
                                Sql.text(r[3]),
                                Sql.text(r[4]),
                                Sql.money(r[5]),
                                Sql.money(r[6]),
                                Sql.instant(r[7]),
                                false));
                    }
                    return out;
                });
    }

    /**
     * Rewrites the ledger of an ended session so it covers exactly [started_at, ended_at): steps
     * from the last accrued minute (or the end's minute, if accrual ran past the end) are upserted
     * with their exact seconds, steps at or after the end are removed. Returns null when the
     * session has not started yet (its SessionStarted will finalize it).
     */
    public Uni<Accrual> finalizeEnded(Mutiny.Session db, String sessionId) {
        return db.createNativeQuery("""
                        select consumer_id, provider, gpu_type, currency, accrued_total, started_at, ended_at, price_per_hour
                        from billing.billed_sessions where session_id = ?1 for update""")
                .setParameter(1, sessionId)
                .getResultList()
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().nullItem();
                    }
                    Object[] r = (Object[]) rows.get(0);
                    Instant started = Sql.instant(r[5]);
                    Instant ended = Sql.instant(r[6]);
                    if (started == null || ended == null || r[7] == null) {
                        return Uni.createFrom().nullItem();
                    }
                    BigDecimal before = Sql.money(r[4]);
                    // an end before the start (clock skew between events) bills nothing rather than a negative time
                    Instant end = ended.isBefore(started) ? started : ended;
                    String upsert = steps(
                            """
                                    (select session_id, consumer_id, provider, gpu_type, currency, price_per_hour, started_at,
                                            least(coalesce(accrued_until, started_at), date_trunc('minute', cast(?2 as timestamptz), 'UTC')) as from_ts,
                                            cast(?2 as timestamptz) as until_ts
                                     from billing.billed_sessions where session_id = ?1)""",
                            "on conflict (session_id, minute) do update set seconds = excluded.seconds, amount = excluded.amount");
                    return db.createNativeQuery(
                                    "delete from billing.ledger_entries where session_id = ?1 and minute >= ?2")
                            // the minute holding the end is rewritten below with its exact seconds
                            .setParameter(1, sessionId)
                            .setParameter(2, Sql.ts(end.truncatedTo(ChronoUnit.MINUTES)))
                            .executeUpdate()
                            .chain(() -> db.createNativeQuery(upsert)
                                    .setParameter(1, sessionId)
                                    .setParameter(2, Sql.ts(end))
                                    .getResultList())
                            .chain(() -> db.createNativeQuery("""
                                            update billing.billed_sessions
                                               set accrued_until = ?2,
                                                   accrued_total = (select coalesce(sum(amount), 0) from billing.ledger_entries
                                                                    where session_id = ?1),
                                                   updated_at = clock_timestamp()
                                             where session_id = ?1
                                            returning accrued_total""")
                                    .setParameter(1, sessionId)
                                    .setParameter(2, Sql.ts(end))
                                    .getSingleResult())
                            .map(total -> {
                                BigDecimal after = Sql.money(total);
                                return new Accrual(
                                        sessionId,
                                        Sql.text(r[0]),
                                        Sql.text(r[1]),
                                        Sql.text(r[2]),
                                        Sql.text(r[3]),
                                        after.subtract(before),
                                        after,
                                        end,
                                        true);
                            });
                });
    }
}
