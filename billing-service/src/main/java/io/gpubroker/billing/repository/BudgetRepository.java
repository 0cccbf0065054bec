package io.gpubroker.billing.repository;

import io.gpubroker.billing.domain.BudgetStanding;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/** Budgets, their month spend (from {@code billing.daily_costs}) and the alerts fired, in the caller's session. */
@ApplicationScoped
public class BudgetRepository {

    /** Sets (or replaces) a consumer's monthly budget. */
    public Uni<Integer> put(Mutiny.Session db, String consumerId, BigDecimal limit, String currency) {
        return db.createNativeQuery("""
                        insert into billing.budgets (consumer_id, monthly_limit, currency) values (?1, ?2, ?3)
                        on conflict (consumer_id) do update set monthly_limit = excluded.monthly_limit,
                            currency = excluded.currency, updated_at = clock_timestamp()""")
                .setParameter(1, consumerId)
                .setParameter(2, limit)
                .setParameter(3, currency)
                .executeUpdate();
    }

    /** Standings of the given consumers that have a budget (others are absent). */
    public Uni<List<BudgetStanding>> standings(Mutiny.Session db, Set<String> consumers, YearMonth month) {
        if (consumers.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return db.createNativeQuery("""
                        select b.consumer_id, b.monthly_limit, b.currency,
                               (select coalesce(sum(d.amount), 0) from billing.daily_costs d
                                 where d.consumer_id = b.consumer_id and d.currency = b.currency
                                   and d.day >= ?2 and d.day < ?3)
                        from billing.budgets b where b.consumer_id in (?1)""")
                .setParameter(1, List.copyOf(consumers))
                .setParameter(2, month.atDay(1))
                .setParameter(3, month.plusMonths(1).atDay(1))
                .getResultList()
                .map(rows -> standings(rows, month));
    }

    /** Every budget with its spend in {@code month} (for the gauges). */
    public Uni<List<BudgetStanding>> all(Mutiny.Session db, YearMonth month) {
        return db.createNativeQuery("""
                        select b.consumer_id, b.monthly_limit, b.currency,
                               (select coalesce(sum(d.amount), 0) from billing.daily_costs d
                                 where d.consumer_id = b.consumer_id and d.currency = b.currency
                                   and d.day >= ?1 and d.day < ?2)
                        from billing.budgets b""")
                .setParameter(1, month.atDay(1))
                .setParameter(2, month.plusMonths(1).atDay(1))
                .getResultList()
                .map(rows -> standings(rows, month));
    }

    private static List<BudgetStanding> standings(List<?> rows, YearMonth month) {
        List<BudgetStanding> out = new ArrayList<>();
        for (Object row : rows) {
            Object[] r = (Object[]) row;
            out.add(new BudgetStanding(Sql.text(r[0]), month, Sql.money(r[1]), Sql.text(r[2]), Sql.money(r[3])));
        }
        return out;
    }

    /** Records that {@code kind} fired for the standing's consumer and month; 0 when it already had. */
    public Uni<Integer> recordAlert(Mutiny.Session db, BudgetStanding s, String kind, Instant at) {
        return db.createNativeQuery("""
                        insert into billing.budget_alerts (consumer_id, month, kind, budget, spent, at)
                        values (?1, ?2, ?3, ?4, ?5, ?6) on conflict do nothing""")
                .setParameter(1, s.consumerId())
                .setParameter(2, s.month().toString())
                .setParameter(3, kind)
                .setParameter(4, s.limit())
                .setParameter(5, s.spent())
                .setParameter(6, Sql.ts(at))
                .executeUpdate();
    }
}
