package io.gpubroker.billing.service;

import static io.gpubroker.billing.domain.Money.money;

import io.gpubroker.billing.config.BillingConfig;
import io.gpubroker.billing.domain.Accrual;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.billing.repository.LedgerRepository;
import io.gpubroker.contracts.CostAccrued;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Moves the ledger forward: the scheduled accrual of running sessions (whole minutes up to the
 * shared clock's "now", so a 60x stack accrues 60x faster) and the exact close of ended ones.
 * Each change publishes {@code CostAccrued} and re-checks the consumer's budget in the same
 * transaction, so a budget overshoot is bounded by one accrual step.
 */
@ApplicationScoped
public class AccrualService {
    private static final Logger LOG = Logger.getLogger(AccrualService.class);
    public static final String AGGREGATE = "cost";

    private final Mutiny.SessionFactory sessions;
    private final LedgerRepository ledger;
    private final OutboxWriter outbox;
    private final BudgetService budgets;
    private final BillingMetrics metrics;
    private final BrokerClock.Scaled clock;
    private final int batch;

    public AccrualService(
            Mutiny.SessionFactory sessions,
            LedgerRepository ledger,
            OutboxWriter outbox,
            BudgetService budgets,
            BillingMetrics metrics,
            BrokerClock.Scaled clock,
            BillingConfig config) {
        this.sessions = sessions;
        this.ledger = ledger;
        this.outbox = outbox;
        this.budgets = budgets;
        this.metrics = metrics;
        this.clock = clock;
        this.batch = config.accrual().batch();
    }

    /** What one accrual run did. */
    public record RunResult(int sessions, BigDecimal amount, int alerts) {}

    @Scheduled(
            identity = "billing-accrual",
            every = "${billing.accrual.every:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return accrueUntil(clock.instant())
                .onFailure()
                .invoke(t -> LOG.warnf("accrual run failed (next run retries): %s", t.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** Published outbox rows are only WAL history once Debezium has read them; keep a day for inspection. */
    @Scheduled(identity = "billing-outbox-purge", every = "1h", delayed = "5m")
    Uni<Void> purgeOutbox() {
        return sessions.withTransaction((db, tx) -> outbox.purgeOlderThan(db, 24))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** Writes every completed minute before {@code now} for all running sessions, in batches. */
    public Uni<RunResult> accrueUntil(Instant now) {
        Instant until = now.truncatedTo(ChronoUnit.MINUTES);
        return Multi.createBy()
                .repeating()
                .uni(() -> sessions.withTransaction((db, tx) -> ledger.accrueRunning(db, until, batch)
                        .chain(rows -> publish(db, rows, now)
                                .map(alerts -> new RunResult(
                                        rows.size(),
                                        rows.stream().map(Accrual::amount).reduce(BigDecimal.ZERO, BigDecimal::add),
                                        alerts)))))
                .whilst(r -> r.sessions() == batch)
                .collect()
                .asList()
                .map(runs -> runs.stream()
                        .reduce(
                                new RunResult(0, BigDecimal.ZERO, 0),
                                (a, b) -> new RunResult(
                                        a.sessions() + b.sessions(),
                                        a.amount().add(b.amount()),
                                        a.alerts() + b.alerts())));
    }

    /** Closes an ended session's ledger exactly and publishes the final total (caller's transaction). */
    public Uni<Accrual> finalizeEnded(Mutiny.Session db, String sessionId) {
        return ledger.finalizeEnded(db, sessionId)
                .call(a -> a == null ? Uni.createFrom().voidItem() : publish(db, List.of(a), clock.instant()));
    }

    private Uni<Integer> publish(Mutiny.Session db, List<Accrual> rows, Instant at) {
        Map<YearMonth, Set<String>> touched = new HashMap<>();
        return Multi.createFrom()
                .iterable(rows)
                .filter(a -> a.finalTotal() || a.amount().signum() != 0)
                .onItem()
                .transformToUniAndConcatenate(a -> {
                    metrics.accrued(a.provider(), a.gpuType(), a.amount());
                    // the month the last step fell in; a step never straddles a month end
                    touched.computeIfAbsent(
                                    BudgetService.monthOf(a.accruedUntil().minusMillis(1)), m -> new HashSet<>())
                            .add(a.consumerId());
                    return outbox.append(
                            db,
                            AGGREGATE,
                            new CostAccrued(
                                    a.sessionId(),
                                    a.consumerId(),
                                    a.provider(),
                                    a.gpuType(),
                                    money(a.amount()),
                                    money(a.total()),
                                    a.currency(),
                                    a.accruedUntil(),
                                    a.finalTotal(),
                                    at));
                })
                .collect()
                .last()
                .chain(() -> budgets.evaluate(db, touched, at));
    }
}
