package io.gpubroker.billing.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.billing.ledger.Sql;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.contracts.BudgetExceeded;
import io.gpubroker.contracts.BudgetWarning;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.config.inject.ConfigProperty;
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

    private final OutboxWriter outbox;
    private final BillingMetrics metrics;
    private final BigDecimal warningShare;

    public BudgetService(OutboxWriter outbox, BillingMetrics metrics,
                         @ConfigProperty(name = "billing.budget.warning-share", defaultValue = "0.8") BigDecimal warningShare) {
        this.outbox = outbox;
        this.metrics = metrics;
        this.warningShare = warningShare;
    }

    /** A consumer's budget and what it spent in a month (the ledger's daily rollup, in the budget's currency). */
    public record Standing(String consumerId, YearMonth month, BigDecimal limit, String currency, BigDecimal spent) {
        public BigDecimal remaining() {
            return limit.subtract(spent);
        }

        public BigDecimal usedRatio() {
            return limit.signum() == 0 ? null : spent.divide(limit, 6, RoundingMode.HALF_UP);
        }
    }

    public static YearMonth monthOf(Instant i) {
        return YearMonth.from(i.atOffset(ZoneOffset.UTC));
    }

    /** Standings of the given consumers that have a budget (others are absent). */
    public Uni<List<Standing>> standings(Mutiny.Session db, Set<String> consumers, YearMonth month) {
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
                .map(rows -> {
                    List<Standing> out = new ArrayList<>();
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        out.add(new Standing(Sql.text(r[0]), month, Sql.money(r[1]), Sql.text(r[2]), Sql.money(r[3])));
                    }
                    return out;
                });
    }

    /**
     * Checks the month spend of {@code consumersByMonth} against their budgets and records and
     * publishes each threshold crossed for the first time, in the caller's transaction.
     */
    public Uni<Integer> evaluate(Mutiny.Session db, Map<YearMonth, Set<String>> consumersByMonth, Instant at) {
        return Multi.createFrom().iterable(consumersByMonth.entrySet())
                .onItem().transformToUniAndConcatenate(e -> standings(db, e.getValue(), e.getKey()))
                .onItem().transformToIterable(list -> list)
                .onItem().transformToUniAndConcatenate(s -> alert(db, s, at))
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue));
    }

    private Uni<Integer> alert(Mutiny.Session db, Standing s, Instant at) {
        if (s.limit().signum() > 0) {
            metrics.budgetUsed(s.consumerId(), s.usedRatio());
        }
        boolean warn = s.spent().compareTo(s.limit().multiply(warningShare)) >= 0 && s.spent().signum() > 0;
        boolean exceeded = s.spent().compareTo(s.limit()) >= 0 && s.spent().signum() > 0;
        Uni<Integer> w = warn ? record(db, s, "warning", at) : Uni.createFrom().item(0);
        return w.chain(n -> (exceeded ? record(db, s, "exceeded", at) : Uni.createFrom().item(0)).map(m -> n + m));
    }

    private Uni<Integer> record(Mutiny.Session db, Standing s, String kind, Instant at) {
        return db.createNativeQuery("""
                        insert into billing.budget_alerts (consumer_id, month, kind, budget, spent, at)
                        values (?1, ?2, ?3, ?4, ?5, ?6) on conflict do nothing""")
                .setParameter(1, s.consumerId()).setParameter(2, s.month().toString()).setParameter(3, kind)
                .setParameter(4, s.limit()).setParameter(5, s.spent()).setParameter(6, Sql.ts(at))
                .executeUpdate()
                .chain(inserted -> {
                    if (inserted == 0) {
                        return Uni.createFrom().item(0);
                    }
                    BigDecimal spent = s.spent().setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
                    var event = "warning".equals(kind)
                            ? new BudgetWarning(s.consumerId(), s.month().toString(), s.limit(), spent, warningShare, s.currency(), at)
                            : new BudgetExceeded(s.consumerId(), s.month().toString(), s.limit(), spent, s.currency(), at);
                    return outbox.append(db, AGGREGATE, event).replaceWith(1);
                });
    }
}
