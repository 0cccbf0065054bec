package io.gpubroker.billing.repository;

import io.gpubroker.billing.domain.InstanceCharge;
import io.gpubroker.contracts.InstanceCreated;
import io.gpubroker.contracts.InstanceGone;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The instances the broker caused to exist ({@code billing.instance_charges}) and their ledger
 * ({@code billing.instance_ledger_entries}), in the caller's transaction. The first creation and the
 * first confirmation win, and an instance is charged once ({@code charged_at}), under a row lock: a
 * replayed fact, or two replicas, never charge twice.
 */
@ApplicationScoped
public class InstanceChargeRepository {

    public Uni<Void> created(Mutiny.Session db, InstanceCreated e) {
        return db.createNativeQuery("""
                        insert into billing.instance_charges (provider, instance_id, session_id, consumer_id, kind, offer_id,
                            gpu_type, price_per_hour, currency, created_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                        on conflict (provider, instance_id) do update set
                            created_at = coalesce(instance_charges.created_at, excluded.created_at),
                            consumer_id = coalesce(instance_charges.consumer_id, excluded.consumer_id),
                            offer_id = coalesce(instance_charges.offer_id, excluded.offer_id),
                            gpu_type = coalesce(instance_charges.gpu_type, excluded.gpu_type),
                            currency = coalesce(instance_charges.currency, excluded.currency),
                            price_per_hour = coalesce(instance_charges.price_per_hour, excluded.price_per_hour),
                            -- a row made by the confirmation alone holds a placeholder kind until the creation is seen
                            kind = case when instance_charges.created_at is null then excluded.kind else instance_charges.kind end,
                            updated_at = clock_timestamp()""")
                .setParameter(1, e.provider())
                .setParameter(2, e.instanceId())
                .setParameter(3, e.sessionId())
                .setParameter(4, e.consumerId())
                .setParameter(5, e.kind())
                .setParameter(6, e.offerId())
                .setParameter(7, e.gpuType())
                .setParameter(8, e.pricePerHour())
                .setParameter(9, e.currency())
                .setParameter(10, Sql.ts(e.createdAt()))
                .executeUpdate()
                .replaceWithVoid();
    }

    public Uni<Void> gone(Mutiny.Session db, InstanceGone e) {
        return db.createNativeQuery("""
                        insert into billing.instance_charges (provider, instance_id, session_id, consumer_id, kind, gone_at)
                        values (?1, ?2, ?3, ?4, 'attempt', ?5)
                        on conflict (provider, instance_id) do update set
                            gone_at = coalesce(instance_charges.gone_at, excluded.gone_at),
                            consumer_id = coalesce(instance_charges.consumer_id, excluded.consumer_id),
                            updated_at = clock_timestamp()""")
                .setParameter(1, e.provider())
                .setParameter(2, e.instanceId())
                .setParameter(3, e.sessionId())
                .setParameter(4, e.consumerId())
                .setParameter(5, Sql.ts(e.confirmedAt()))
                .executeUpdate()
                .replaceWithVoid();
    }

    /**
     * Locks the instance and returns it when it is due (created, gone, not charged yet), with its
     * session's ledger window if the session ran on it and the session's offer price as the fallback
     * rate (the session's first offer: only if the instance was made for that offer, or its offer is unknown).
     */
    public Uni<InstanceCharge> lockDue(Mutiny.Session db, String provider, String instanceId) {
        return db.createNativeQuery("""
                        select ic.session_id, coalesce(ic.consumer_id, sa.consumer_id, bs.consumer_id), ic.kind,
                               coalesce(ic.gpu_type, sa.gpu_type),
                               coalesce(ic.price_per_hour,
                                        case when ic.offer_id is null or ic.offer_id = sa.offer_id then sa.price_per_hour end),
                               coalesce(ic.currency, sa.currency, 'USD'), ic.created_at, ic.gone_at,
                               case when bs.instance_id = ic.instance_id then bs.started_at end,
                               case when bs.instance_id = ic.instance_id then bs.ended_at end
                        from billing.instance_charges ic
                        left join billing.session_accounts sa on sa.session_id = ic.session_id
                        left join billing.billed_sessions bs on bs.session_id = ic.session_id and bs.provider = ic.provider
                        where ic.provider = ?1 and ic.instance_id = ?2
                          and ic.created_at is not null and ic.gone_at is not null and ic.charged_at is null
                        for update of ic""")
                .setParameter(1, provider)
                .setParameter(2, instanceId)
                .getResultList()
                .map(rows -> {
                    if (rows.isEmpty()) {
                        return null;
                    }
                    Object[] r = (Object[]) rows.get(0);
                    return new InstanceCharge(
                            provider,
                            instanceId,
                            Sql.text(r[0]),
                            Sql.text(r[1]),
                            Sql.text(r[2]),
                            Sql.text(r[3]),
                            Sql.decimalOrNull(r[4]),
                            Sql.text(r[5]),
                            Sql.instant(r[6]),
                            Sql.instant(r[7]),
                            Sql.instant(r[8]),
                            Sql.instant(r[9]));
                });
    }

    /** Writes the minute steps of {@code [from, until)} at {@code price}; returns their sum. */
    public Uni<BigDecimal> writeSegment(
            Mutiny.Session db, InstanceCharge c, InstanceCharge.Segment s, BigDecimal price) {
        return db.createNativeQuery("""
                        with steps as (
                            insert into billing.instance_ledger_entries (provider, instance_id, flag, minute, seconds, amount,
                                session_id, consumer_id, gpu_type, currency)
                            select ?1, ?2, ?3, m.minute, st.secs, round(cast(?4 as numeric) * st.secs / 3600, 10), ?5, ?6, ?7, ?8
                            from generate_series(date_trunc('minute', cast(?9 as timestamptz), 'UTC'),
                                                 cast(?10 as timestamptz) - interval '1 microsecond', interval '1 minute') as m(minute)
                            cross join lateral (select round(extract(epoch from least(m.minute + interval '1 minute', cast(?10 as timestamptz))
                                                             - greatest(m.minute, cast(?9 as timestamptz))), 3) as secs) st
                            where cast(?10 as timestamptz) > cast(?9 as timestamptz) and st.secs > 0
                            on conflict (provider, instance_id, flag, minute) do nothing
                            returning amount)
                        select coalesce(sum(amount), 0) from steps""")
                .setParameter(1, c.provider())
                .setParameter(2, c.instanceId())
                .setParameter(3, s.flag())
                .setParameter(4, price)
                .setParameter(5, c.sessionId())
                .setParameter(6, s.payer())
                .setParameter(7, c.gpuType())
                .setParameter(8, c.currency())
                .setParameter(9, Sql.ts(s.from()))
                .setParameter(10, Sql.ts(s.until()))
                .getSingleResult()
                .map(Sql::money);
    }

    public Uni<Void> markCharged(Mutiny.Session db, InstanceCharge c, BigDecimal total, String note, Instant at) {
        return db.createNativeQuery("""
                        update billing.instance_charges set charged_at = ?3, charged_total = ?4, note = ?5,
                            updated_at = clock_timestamp()
                        where provider = ?1 and instance_id = ?2""")
                .setParameter(1, c.provider())
                .setParameter(2, c.instanceId())
                .setParameter(3, Sql.ts(at))
                .setParameter(4, total)
                .setParameter(5, note)
                .executeUpdate()
                .replaceWithVoid();
    }
}
