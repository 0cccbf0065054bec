package io.gpubroker.billing.service;

import static io.gpubroker.billing.domain.Money.money;

import io.gpubroker.billing.client.GatewayCallException;
import io.gpubroker.billing.client.ProviderGatewayClient;
import io.gpubroker.billing.client.ProviderGateways;
import io.gpubroker.billing.config.BillingConfig;
import io.gpubroker.billing.domain.ProviderDrift;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.billing.repository.BilledSessionRepository;
import io.gpubroker.billing.repository.DriftRepository;
import io.gpubroker.contracts.BilledCosts;
import io.gpubroker.contracts.ProviderDriftAlert;
import io.gpubroker.contracts.ProviderDriftMeasured;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.lease.JobLease;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Compares the ledger with what providers bill for the same instances: for each provider whose
 * billing provider-gateway can read (Vast.ai invoices, Rackrr wallet debits, Barrack instance
 * billing), the ended sessions of the window are matched by instance id, and (broker − provider) /
 * provider is recorded, published as {@code ProviderDriftMeasured} and exported as
 * {@code gpu_provider_cost_drift_ratio}. Only ended sessions are compared: a running one is ahead on
 * the provider side by up to one step. Provider billing comes only through the gateway, under its
 * rate limits, retries and circuit breakers. A call that fails is never read as zero cost: the
 * provider's run is recorded as {@code error}, and instances the gateway could not read (skipped)
 * are counted as such; the next run asks again. The scheduled run happens only on the replica holding
 * the {@code drift-reconcile} lease (ADR 0013): one run, one set of provider reads, per interval.
 */
@ApplicationScoped
public class DriftReconciler {
    private static final Logger LOG = Logger.getLogger(DriftReconciler.class);
    public static final BigDecimal TARGET = new BigDecimal("0.01");
    static final String JOB = "drift-reconcile";

    private final Mutiny.SessionFactory sessions;
    private final BilledSessionRepository billed;
    private final DriftRepository drifts;
    private final ProviderGateways gateways;
    private final OutboxWriter outbox;
    private final BillingMetrics metrics;
    private final BrokerClock.Scaled clock;
    private final JobLease lease;
    private final Duration window;
    private final BigDecimal alertThreshold;

    public DriftReconciler(
            Mutiny.SessionFactory sessions,
            BilledSessionRepository billed,
            DriftRepository drifts,
            ProviderGateways gateways,
            OutboxWriter outbox,
            BillingMetrics metrics,
            BrokerClock.Scaled clock,
            JobLease lease,
            BillingConfig config) {
        this.lease = lease;
        this.sessions = sessions;
        this.billed = billed;
        this.drifts = drifts;
        this.gateways = gateways;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
        this.window = config.reconcile().window();
        this.alertThreshold = config.reconcile().alertThreshold();
    }

    @Scheduled(
            identity = "billing-reconcile",
            every = "${billing.reconcile.every:10m}",
            delayed = "${billing.reconcile.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return leader().chain(leader -> leader
                        ? reconcileAll().replaceWithVoid()
                        : Uni.createFrom().voidItem())
                .onFailure()
                .invoke(t -> LOG.warnf("reconciliation failed: %s", describe(t)))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** Whether this replica holds the lease: asked on a worker thread (JDBC), answered back on the caller's context. */
    private Uni<Boolean> leader() {
        Context ctx = Vertx.currentContext();
        Uni<Boolean> u =
                Uni.createFrom().item(() -> lease.holds(JOB)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return ctx == null ? u : u.emitOn(r -> ctx.runOnContext(v -> r.run()));
    }

    /** Reconciles every provider the gateway serves and can read the billing of. */
    public Uni<List<ProviderDrift>> reconcileAll() {
        // each gateway group names what it serves; a failed listing fails the run (never "nothing to reconcile")
        return Multi.createFrom()
                .iterable(gateways.all().values())
                .onItem()
                .transformToUniAndConcatenate(g -> g.providers()
                        .map(list -> list.providers().stream()
                                .filter(p -> p.enabled() && p.billedCosts())
                                .map(ProviderGatewayClient.ProviderList.Entry::provider)
                                .toList()))
                .onItem()
                .transformToMultiAndConcatenate(names -> Multi.createFrom().iterable(names))
                .select()
                .distinct()
                .onItem()
                .transformToUniAndConcatenate(this::reconcile)
                .collect()
                .asList();
    }

    /** Measures one provider now and records the result (a failed billing read is recorded as status {@code error}). */
    public Uni<ProviderDrift> reconcile(String provider) {
        Instant now = clock.instant();
        return sessions.withSession(db -> billed.endedSince(db, provider, now.minus(window)))
                .chain(broker -> {
                    if (broker.costs().isEmpty()) {
                        return record(
                                new ProviderDrift(
                                        provider,
                                        "no_data",
                                        null,
                                        BigDecimal.ZERO,
                                        BigDecimal.ZERO,
                                        0,
                                        0,
                                        0,
                                        now,
                                        "no ended sessions with an instance id in the window"),
                                broker.currency());
                    }
                    // a failed call is an error for this run, never "the provider billed zero": the next run asks again
                    return gateways.forProvider(provider)
                            .billedCosts(
                                    provider,
                                    new BilledCosts.Request(
                                            List.copyOf(broker.costs().keySet())))
                            .map(reported -> compare(provider, broker.costs(), reported, now))
                            .onFailure()
                            .recoverWithItem(t -> new ProviderDrift(
                                    provider,
                                    "error",
                                    null,
                                    BigDecimal.ZERO,
                                    BigDecimal.ZERO,
                                    0,
                                    0,
                                    broker.costs().size(),
                                    now,
                                    describe(t)))
                            .chain(d -> record(d, broker.currency()));
                });
    }

    private static String describe(Throwable t) {
        return truncate(
                t instanceof GatewayCallException
                        ? t.getMessage()
                        : "provider-gateway call failed: " + t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    static ProviderDrift compare(String provider, Map<String, BigDecimal> broker, BilledCosts reported, Instant now) {
        BigDecimal b = BigDecimal.ZERO;
        BigDecimal p = BigDecimal.ZERO;
        int matched = 0;
        int unmatched = 0;
        int skipped = 0;
        String skipReason = null;
        for (var e : broker.entrySet()) {
            if (reported.skipped().containsKey(e.getKey())) {
                skipped++;
                skipReason = reported.skipped().get(e.getKey());
                continue;
            }
            BigDecimal theirs = reported.costs().get(e.getKey());
            if (theirs == null) {
                unmatched++;
                continue;
            }
            matched++;
            b = b.add(e.getValue());
            p = p.add(theirs);
        }
        String skipNote =
                skipped == 0 ? "" : "; " + skipped + " instance(s) skipped, retried next run (" + skipReason + ")";
        if (matched == 0 && skipped > 0) {
            return new ProviderDrift(
                    provider,
                    "error",
                    null,
                    BigDecimal.ZERO,
                    BigDecimal.ZERO,
                    0,
                    unmatched,
                    skipped,
                    now,
                    truncate("no instance could be measured" + skipNote));
        }
        if (p.signum() == 0) {
            return new ProviderDrift(
                    provider,
                    "no_data",
                    null,
                    money(b),
                    money(p),
                    matched,
                    unmatched,
                    skipped,
                    now,
                    truncate("the provider reported no cost for our instances" + skipNote));
        }
        BigDecimal ratio = b.subtract(p).divide(p, 8, RoundingMode.HALF_UP);
        return new ProviderDrift(
                provider,
                "ok",
                ratio,
                money(b),
                money(p),
                matched,
                unmatched,
                skipped,
                now,
                truncate((ratio.abs().compareTo(TARGET) <= 0 ? "within target" : "above the 1% target") + skipNote));
    }

    private static String truncate(String m) {
        return m.length() > 500 ? m.substring(0, 500) : m;
    }

    /** Whether a measurement is over the alert threshold (only a real measurement can be). */
    static boolean alerting(ProviderDrift d, BigDecimal threshold) {
        return "ok".equals(d.status())
                && d.driftRatio() != null
                && d.driftRatio().abs().compareTo(threshold) > 0;
    }

    /**
     * Records the measurement; a real one is published ({@code ProviderDriftMeasured}) and, above the
     * alert threshold, raises {@code ProviderDriftAlert} in the same transaction (outbox) and the alert metric.
     */
    private Uni<ProviderDrift> record(ProviderDrift d, String currency) {
        boolean alert = alerting(d, alertThreshold);
        return sessions.withTransaction((db, tx) -> drifts.record(db, d, currency, alert)
                        .chain(() -> "ok".equals(d.status())
                                ? outbox.append(
                                                db,
                                                "cost",
                                                new ProviderDriftMeasured(
                                                        d.provider(),
                                                        d.brokerCost(),
                                                        d.providerCost(),
                                                        d.driftRatio(),
                                                        d.instances(),
                                                        d.unmatched(),
                                                        currency,
                                                        d.measuredAt()))
                                        .replaceWithVoid()
                                : Uni.createFrom().voidItem())
                        .chain(() -> alert
                                ? outbox.append(
                                                db,
                                                "cost",
                                                new ProviderDriftAlert(
                                                        d.provider(),
                                                        d.driftRatio(),
                                                        alertThreshold,
                                                        d.brokerCost(),
                                                        d.providerCost(),
                                                        currency,
                                                        d.measuredAt()))
                                        .replaceWithVoid()
                                : Uni.createFrom().voidItem()))
                .invoke(() -> {
                    if ("ok".equals(d.status())) {
                        metrics.drift(d.provider(), d.driftRatio());
                    }
                    if (alert) {
                        LOG.warnf(
                                "provider %s: billing drift %s above the alert threshold %s (broker %s, provider %s)",
                                d.provider(), d.driftRatio(), alertThreshold, d.brokerCost(), d.providerCost());
                        metrics.driftAlert(d.provider());
                    }
                })
                .replaceWith(d);
    }

    /** The latest measurement per provider. */
    public Uni<ProviderDrift.Report> latest() {
        return sessions.withSession(db -> drifts.latest(db)
                .chain(all ->
                        drifts.daily(db).map(days -> new ProviderDrift.Report(TARGET, alertThreshold, all, days))));
    }
}
