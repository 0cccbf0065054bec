package io.gpubroker.billing.repository;

import static io.gpubroker.billing.domain.Money.hours;
import static io.gpubroker.billing.domain.Money.money;

import io.gpubroker.billing.domain.CostFilter;
import io.gpubroker.billing.domain.CostSummary;
import io.gpubroker.billing.domain.SessionCost;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.reactive.mutiny.Mutiny;

/** Read side of the ledger (in the caller's session): per-session cost, filtered summaries with daily/monthly rows. */
@ApplicationScoped
public class CostRepository {
    public Uni<SessionCost> session(Mutiny.Session db, String sessionId) {
        return db.createNativeQuery("""
                        select s.consumer_id, s.provider, s.gpu_type, s.price_per_hour, s.started_at, s.ended_at, s.currency,
                               coalesce(sum(l.amount), 0), coalesce(sum(l.seconds), 0)
                        from billing.billed_sessions s left join billing.ledger_entries l on l.session_id = s.session_id
                        where s.session_id = ?1
                        group by s.session_id""")
                .setParameter(1, sessionId)
                .getResultList()
                .chain(rows -> {
                    if (!rows.isEmpty()) {
                        Object[] r = (Object[]) rows.get(0);
                        Instant started = Sql.instant(r[4]);
                        Instant ended = Sql.instant(r[5]);
                        String status = started == null
                                ? (ended == null ? "pending" : "ended")
                                : ended == null ? "running" : "ended";
                        return Uni.createFrom()
                                .item(new SessionCost(
                                        sessionId,
                                        Sql.text(r[0]),
                                        Sql.text(r[1]),
                                        Sql.text(r[2]),
                                        status,
                                        Sql.decimalOrNull(r[3]),
                                        started,
                                        ended,
                                        hours(Sql.money(r[8])),
                                        money(Sql.money(r[7])),
                                        Sql.text(r[6])));
                    }
                    // requested but never started: known, and it cost nothing
                    return db.createNativeQuery("""
                                    select consumer_id, provider, gpu_type, price_per_hour, currency
                                    from billing.session_accounts where session_id = ?1""")
                            .setParameter(1, sessionId)
                            .getResultList()
                            .map(acc -> {
                                if (acc.isEmpty()) {
                                    return null;
                                }
                                Object[] a = (Object[]) acc.get(0);
                                return new SessionCost(
                                        sessionId,
                                        Sql.text(a[0]),
                                        Sql.text(a[1]),
                                        Sql.text(a[2]),
                                        "pending",
                                        Sql.decimalOrNull(a[3]),
                                        null,
                                        null,
                                        BigDecimal.ZERO,
                                        BigDecimal.ZERO,
                                        Sql.text(a[4]));
                            });
                });
    }

    /**
     * Served from {@code billing.daily_costs} (one row per session and UTC day, kept exact by triggers
     * in the ledger's own statements): filters are whole UTC days, so every sum and distinct session
     * count equals the raw ledger's to the last digit.
     */
    public Uni<CostSummary> summary(Mutiny.Session db, CostFilter f) {
        StringBuilder where = new StringBuilder(" where true");
        List<Object> params = new ArrayList<>();
        if (f.consumerId() != null) {
            params.add(f.consumerId());
            where.append(" and consumer_id = ?").append(params.size());
        }
        if (f.startDate() != null) {
            params.add(f.startDate());
            where.append(" and day >= ?").append(params.size());
        }
        if (f.endDate() != null) {
            params.add(f.endDate());
            where.append(" and day <= ?").append(params.size());
        }
        String groups = "select provider, gpu_type, currency, sum(amount), sum(seconds), count(distinct session_id)"
                + " from billing.daily_costs" + where + " group by 1, 2, 3";
        String periods = f.period() == null
                ? null
                : "select to_char(day, '" + ("monthly".equals(f.period()) ? "YYYY-MM" : "YYYY-MM-DD")
                        + "'), sum(amount), sum(seconds), count(distinct session_id)"
                        + " from billing.daily_costs" + where + " group by 1 order by 1";
        return bind(db.createNativeQuery(groups), params)
                .getResultList()
                .chain(groupRows -> (periods == null
                                ? Uni.createFrom().item(List.<Object>of())
                                : bind(db.createNativeQuery(periods), params).getResultList())
                        .map(periodRows -> build(f, groupRows, periodRows)));
    }

    private static <T> Mutiny.SelectionQuery<T> bind(Mutiny.SelectionQuery<T> q, List<Object> params) {
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q;
    }

    private static CostSummary build(CostFilter f, List<?> groupRows, List<?> periodRows) {
        Map<String, BigDecimal> byProvider = new TreeMap<>();
        Map<String, BigDecimal> byGpu = new TreeMap<>();
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal seconds = BigDecimal.ZERO;
        long count = 0;
        String currency = null;
        for (Object row : groupRows) {
            Object[] r = (Object[]) row;
            BigDecimal amount = Sql.money(r[3]);
            byProvider.merge(Sql.text(r[0]), amount, BigDecimal::add);
            byGpu.merge(Sql.text(r[1]), amount, BigDecimal::add);
            currency = currency == null ? Sql.text(r[2]) : currency;
            total = total.add(amount);
            seconds = seconds.add(Sql.money(r[4]));
            // a session has one provider and GPU type, so per-group distinct counts add up
            count += Sql.count(r[5]);
        }
        List<CostSummary.PeriodCost> periods = null;
        if (f.period() != null) {
            periods = new ArrayList<>();
            for (Object row : periodRows) {
                Object[] r = (Object[]) row;
                periods.add(new CostSummary.PeriodCost(
                        Sql.text(r[0]), money(Sql.money(r[1])), hours(Sql.money(r[2])), Sql.count(r[3])));
            }
        }
        Map<String, BigDecimal> providers = new LinkedHashMap<>();
        byProvider.forEach((k, v) -> providers.put(k, money(v)));
        Map<String, BigDecimal> gpus = new LinkedHashMap<>();
        byGpu.forEach((k, v) -> gpus.put(k, money(v)));
        return new CostSummary(
                f.consumerId() == null ? "" : f.consumerId(),
                f.startDate() == null ? null : f.startDate().toString(),
                f.endDate() == null ? null : f.endDate().toString(),
                f.month(),
                f.period(),
                money(total),
                currency == null ? "USD" : currency,
                count,
                hours(seconds),
                providers,
                gpus,
                periods);
    }
}
