package io.gpubroker.billing.rest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.gpubroker.billing.budget.BudgetService;
import io.gpubroker.billing.ledger.Sql;
import io.smallrye.mutiny.Uni;
import org.hibernate.reactive.mutiny.Mutiny;

/** Read side of the ledger: per-session cost, filtered summaries with daily/monthly rows. */
@ApplicationScoped
public class CostQueries {
    private final Mutiny.SessionFactory sessions;

    public CostQueries(Mutiny.SessionFactory sessions) {
        this.sessions = sessions;
    }

    /** Money as shown: exact decimals, 6 places at most, no float on the way. */
    public static BigDecimal money(BigDecimal v) {
        return v == null ? null : v.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    static BigDecimal hours(BigDecimal seconds) {
        return seconds.divide(BigDecimal.valueOf(3600), 4, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    /** Cost of one session. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SessionCost(String sessionId, String consumerId, String provider, String gpuType, String status,
                              BigDecimal pricePerHour, Instant startedAt, Instant endedAt, BigDecimal hoursUsed,
                              BigDecimal totalCost, String currency) {
    }

    /** One period row (a UTC day or month). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PeriodCost(String period, BigDecimal totalCost, BigDecimal hoursUsed, long sessionCount) {
    }

    /** Totals over a filter, by provider and GPU type, with optional period rows. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Summary(String consumerId, String startDate, String endDate, String month, String period,
                          BigDecimal totalCost, String currency, long sessionCount, BigDecimal hoursUsed,
                          Map<String, BigDecimal> byProvider, Map<String, BigDecimal> byGpuType, List<PeriodCost> periods) {
    }

    /** The filter of a summary: optional consumer, UTC days [startDate, endDate], optional period granularity. */
    public record Filter(String consumerId, LocalDate startDate, LocalDate endDate, String period, String month) {
    }

    public Uni<SessionCost> session(String sessionId) {
        return sessions.withSession(db -> db.createNativeQuery("""
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
                        String status = started == null ? (ended == null ? "pending" : "ended") : ended == null ? "running" : "ended";
                        return Uni.createFrom().item(new SessionCost(sessionId, Sql.text(r[0]), Sql.text(r[1]), Sql.text(r[2]),
                                status, Sql.decimalOrNull(r[3]), started, ended, hours(Sql.money(r[8])), money(Sql.money(r[7])),
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
                                return new SessionCost(sessionId, Sql.text(a[0]), Sql.text(a[1]), Sql.text(a[2]), "pending",
                                        Sql.decimalOrNull(a[3]), null, null, BigDecimal.ZERO, BigDecimal.ZERO, Sql.text(a[4]));
                            });
                }));
    }

    /**
     * Served from {@code billing.daily_costs} (one row per session and UTC day, kept exact by triggers
     * in the ledger's own statements): filters are whole UTC days, so every sum and distinct session
     * count equals the raw ledger's to the last digit.
     */
    public Uni<Summary> summary(Filter f) {
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
        String periods = f.period() == null ? null
                : "select to_char(day, '" + ("monthly".equals(f.period()) ? "YYYY-MM" : "YYYY-MM-DD")
                + "'), sum(amount), sum(seconds), count(distinct session_id)"
                + " from billing.daily_costs" + where + " group by 1 order by 1";
        return sessions.withSession(db -> bind(db.createNativeQuery(groups), params).getResultList()
                .chain(groupRows -> (periods == null ? Uni.createFrom().item(List.<Object>of())
                        : bind(db.createNativeQuery(periods), params).getResultList())
                        .map(periodRows -> build(f, groupRows, periodRows))));
    }

    private static <T> Mutiny.SelectionQuery<T> bind(Mutiny.SelectionQuery<T> q, List<Object> params) {
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q;
    }

    private static Summary build(Filter f, List<?> groupRows, List<?> periodRows) {
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
        List<PeriodCost> periods = null;
        if (f.period() != null) {
            periods = new ArrayList<>();
            for (Object row : periodRows) {
                Object[] r = (Object[]) row;
                periods.add(new PeriodCost(Sql.text(r[0]), money(Sql.money(r[1])), hours(Sql.money(r[2])), Sql.count(r[3])));
            }
        }
        Map<String, BigDecimal> providers = new LinkedHashMap<>();
        byProvider.forEach((k, v) -> providers.put(k, money(v)));
        Map<String, BigDecimal> gpus = new LinkedHashMap<>();
        byGpu.forEach((k, v) -> gpus.put(k, money(v)));
        return new Summary(f.consumerId() == null ? "" : f.consumerId(),
                f.startDate() == null ? null : f.startDate().toString(), f.endDate() == null ? null : f.endDate().toString(),
                f.month(), f.period(), money(total), currency == null ? "USD" : currency, count, hours(seconds),
                providers, gpus, periods);
    }

    /** Month-to-date filter for {@code /costs/summary}. */
    public static Filter monthToDate(String consumerId, Instant now) {
        YearMonth m = BudgetService.monthOf(now);
        return new Filter(consumerId, m.atDay(1), m.atEndOfMonth(), null, m.toString());
    }
}
