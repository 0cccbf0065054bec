package io.gpubroker.billing.service;

import io.gpubroker.billing.config.BillingConfig;
import io.gpubroker.billing.domain.BudgetStanding;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.billing.repository.BudgetRepository;
import io.gpubroker.contracts.BudgetExceeded;
import io.gpubroker.contracts.BudgetWarning;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Monthly budgets per consumer. After every ledger change the touched consumers' month spend is
 * compared with their budget: crossing the warning share publishes {@code BudgetWarning}, reaching
 * the limit {@code BudgetExceeded} (session-service then stops that consumer's sessions). The
 * {@code budget_alerts} key (consumer, month, kind) makes each fire once, even across replays.
 */
@ApplicationScoped
public class BudgetService {
    public static final String AGGREGATE = "budget";

    private final BudgetRepository budgets;
    private final OutboxWriter outbox;
    private final BillingMetrics metrics;
    private final BigDecimal warningShare;

    public BudgetService(BudgetRepository budgets, OutboxWriter outbox, BillingMetrics metrics, BillingConfig config) {
        this.budgets = budgets;
        this.outbox = outbox;
        this.metrics = metrics;
        this.warningShare = config.budget().warningShare();
    }

    public static YearMonth monthOf(Instant i) {
        return YearMonth.from(i.atOffset(ZoneOffset.UTC));
    }

    /** Standings of the given consumers that have a budget (others are absent). */
    public Uni<List<BudgetStanding>> standings(Mutiny.Session db, Set<String> consumers, YearMonth month) {
        return budgets.standings(db, consumers, month);
    }

    /**
     * Checks the month spend of {@code consumersByMonth} against their budgets and records and
     * publishes each threshold crossed for the first time, in the caller's transaction.
     */
    public Uni<Integer> evaluate(Mutiny.Session db, Map<YearMonth, Set<String>> consumersByMonth, Instant at) {
        return Multi.createFrom()
                .iterable(consumersByMonth.entrySet())
                .onItem()
                .transformToUniAndConcatenate(e -> standings(db, e.getValue(), e.getKey()))
                .onItem()
                .transformToIterable(list -> list)
                .onItem()
                .transformToUniAndConcatenate(s -> alert(db, s, at))
                .collect()
                .with(java.util.stream.Collectors.summingInt(Integer::intValue));
    }

    private Uni<Integer> alert(Mutiny.Session db, BudgetStanding s, Instant at) {
        if (s.limit().signum() > 0) {
            metrics.budgetUsed(s.consumerId(), s.usedRatio());
        }
        boolean warn = s.spent().compareTo(s.limit().multiply(warningShare)) >= 0
                && s.spent().signum() > 0;
        boolean exceeded = s.spent().compareTo(s.limit()) >= 0 && s.spent().signum() > 0;
        Uni<Integer> w = warn ? record(db, s, "warning", at) : Uni.createFrom().item(0);
        return w.chain(n ->
                (exceeded ? record(db, s, "exceeded", at) : Uni.createFrom().item(0)).map(m -> n + m));
    }

    private Uni<Integer> record(Mutiny.Session db, BudgetStanding s, String kind, Instant at) {
        return budgets.recordAlert(db, s, kind, at).chain(inserted -> {
            if (inserted == 0) {
                return Uni.createFrom().item(0);
            }
            BigDecimal spent = s.spent().setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
            var event = "warning".equals(kind)
                    ? new BudgetWarning(
                            s.consumerId(), s.month().toString(), s.limit(), spent, warningShare, s.currency(), at)
                    : new BudgetExceeded(s.consumerId(), s.month().toString(), s.limit(), spent, s.currency(), at);
            return outbox.append(db, AGGREGATE, event).replaceWith(1);
        });
    }
}
