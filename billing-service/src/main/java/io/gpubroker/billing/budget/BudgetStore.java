package io.gpubroker.billing.budget;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.gpubroker.billing.ledger.Sql;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.billing.rest.CostQueries;
import io.gpubroker.kit.clock.BrokerClock;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import org.hibernate.reactive.mutiny.Mutiny;

/** Budgets as the API sees them: set, read with this month's spend, and the spend pre-check. */
@ApplicationScoped
public class BudgetStore {
    private final Mutiny.SessionFactory sessions;
    private final BudgetService budgets;
    private final BillingMetrics metrics;
    private final BrokerClock.Scaled clock;

    public BudgetStore(Mutiny.SessionFactory sessions, BudgetService budgets, BillingMetrics metrics, BrokerClock.Scaled clock) {
        this.sessions = sessions;
        this.budgets = budgets;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A budget with this month's spend. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BudgetView(String consumerId, BigDecimal monthlyLimit, String currency, String month, BigDecimal spent,
                             BigDecimal remaining, BigDecimal usedRatio) {
        static BudgetView of(BudgetService.Standing s) {
            return new BudgetView(s.consumerId(), s.limit().stripTrailingZeros(), s.currency(), s.month().toString(),
                    CostQueries.money(s.spent()), CostQueries.money(s.remaining()), s.usedRatio());
        }
    }

    /** Answer of the pre-check: may the consumer commit {@code amount} more this month? */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CheckResult(String consumerId, boolean allowed, BigDecimal remaining, BigDecimal budget, BigDecimal spent,
                              BigDecimal amount, String currency, String month) {
    }

    public Uni<BudgetView> put(String consumerId, BigDecimal limit, String currency) {
        return sessions.withTransaction((db, tx) -> db.createNativeQuery("""
                                insert into billing.budgets (consumer_id, monthly_limit, currency) values (?1, ?2, ?3)
                                on conflict (consumer_id) do update set monthly_limit = excluded.monthly_limit,
                                    currency = excluded.currency, updated_at = clock_timestamp()""")
                        .setParameter(1, consumerId).setParameter(2, limit).setParameter(3, currency)
                        .executeUpdate()
                        .chain(() -> standing(db, consumerId)))
                .invoke(v -> metrics.budgetUsed(consumerId, v.usedRatio()));
    }

    public Uni<BudgetView> get(String consumerId) {
        return sessions.withSession(db -> standing(db, consumerId));
    }

    private Uni<BudgetView> standing(Mutiny.Session db, String consumerId) {
        return budgets.standings(db, Set.of(consumerId), BudgetService.monthOf(clock.instant()))
                .map(l -> l.isEmpty() ? null : BudgetView.of(l.get(0)));
    }

    /**
     * No budget means no limit. Otherwise allowed when this month's spend plus {@code amount}
     * stays within the limit; running sessions' spend counts as far as the ledger has accrued it.
     */
    public Uni<CheckResult> check(String consumerId, BigDecimal amount) {
        YearMonth month = BudgetService.monthOf(clock.instant());
        return sessions.withSession(db -> budgets.standings(db, Set.of(consumerId), month))
                .map(l -> {
                    if (l.isEmpty()) {
                        return new CheckResult(consumerId, true, null, null, null, CostQueries.money(amount), null, month.toString());
                    }
                    BudgetService.Standing s = l.get(0);
                    boolean allowed = s.spent().add(amount).compareTo(s.limit()) <= 0;
                    return new CheckResult(consumerId, allowed, CostQueries.money(s.remaining()), s.limit().stripTrailingZeros(),
                            CostQueries.money(s.spent()), CostQueries.money(amount), s.currency(), month.toString());
                });
    }

    /** Keeps the per-consumer budget gauges true after restarts and month changes (seeded from the database). */
    @Scheduled(identity = "billing-budget-gauges", every = "${billing.budget.gauge-refresh:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshGauges() {
        YearMonth month = BudgetService.monthOf(clock.instant());
        return sessions.withSession(db -> db.createNativeQuery("""
                                select b.consumer_id, b.monthly_limit,
                                       (select coalesce(sum(d.amount), 0) from billing.daily_costs d
                                         where d.consumer_id = b.consumer_id and d.currency = b.currency
                                           and d.day >= ?1 and d.day < ?2)
                                from billing.budgets b""")
                        .setParameter(1, month.atDay(1)).setParameter(2, month.plusMonths(1).atDay(1))
                        .getResultList())
                .invoke(rows -> {
                    for (Object row : (List<?>) rows) {
                        Object[] r = (Object[]) row;
                        BigDecimal limit = Sql.money(r[1]);
                        if (limit.signum() > 0) {
                            metrics.budgetUsed(Sql.text(r[0]), Sql.money(r[2]).divide(limit, 6, java.math.RoundingMode.HALF_UP));
                        }
                    }
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
