package io.gpubroker.billing.service;

import static io.gpubroker.billing.domain.Money.money;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.gpubroker.billing.domain.BudgetStanding;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.billing.repository.BudgetRepository;
import io.gpubroker.kit.clock.BrokerClock;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/** Budgets as the API sees them: set, read with this month's spend, and the spend pre-check. */
@ApplicationScoped
public class BudgetStore {
    private final Mutiny.SessionFactory sessions;
    private final BudgetRepository budgets;
    private final BillingMetrics metrics;
    private final BrokerClock.Scaled clock;

    public BudgetStore(
            Mutiny.SessionFactory sessions,
            BudgetRepository budgets,
            BillingMetrics metrics,
            BrokerClock.Scaled clock) {
        this.sessions = sessions;
        this.budgets = budgets;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A budget with this month's spend. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BudgetView(
            String consumerId,
            BigDecimal monthlyLimit,
            String currency,
            String month,
            BigDecimal spent,
            BigDecimal remaining,
            BigDecimal usedRatio) {
        static BudgetView of(BudgetStanding s) {
            return new BudgetView(
                    s.consumerId(),
                    s.limit().stripTrailingZeros(),
                    s.currency(),
                    s.month().toString(),
                    money(s.spent()),
                    money(s.remaining()),
                    s.usedRatio());
        }
    }

    /** Answer of the pre-check: may the consumer commit {@code amount} more this month? */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CheckResult(
            String consumerId,
            boolean allowed,
            BigDecimal remaining,
            BigDecimal budget,
            BigDecimal spent,
            BigDecimal amount,
            String currency,
            String month) {}

    public Uni<BudgetView> put(String consumerId, BigDecimal limit, String currency) {
        return sessions.withTransaction(
                        (db, tx) -> budgets.put(db, consumerId, limit, currency).chain(() -> standing(db, consumerId)))
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
                        return new CheckResult(
                                consumerId, true, null, null, null, money(amount), null, month.toString());
                    }
                    BudgetStanding s = l.get(0);
                    boolean allowed = s.spent().add(amount).compareTo(s.limit()) <= 0;
                    return new CheckResult(
                            consumerId,
                            allowed,
                            money(s.remaining()),
                            s.limit().stripTrailingZeros(),
                            money(s.spent()),
                            money(amount),
                            s.currency(),
                            month.toString());
                });
    }

    /** Keeps the per-consumer budget gauges true after restarts and month changes (seeded from the database). */
    @Scheduled(
            identity = "billing-budget-gauges",
            every = "${billing.budget.gauge-refresh:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshGauges() {
        YearMonth month = BudgetService.monthOf(clock.instant());
        return sessions.withSession(db -> budgets.all(db, month))
                .invoke(all -> all.stream()
                        .filter(s -> s.limit().signum() > 0)
                        .forEach(s -> metrics.budgetUsed(s.consumerId(), s.usedRatio())))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }
}
