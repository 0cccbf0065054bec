package io.gpubroker.billing.reconcile;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.gpubroker.billing.ledger.Sql;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.billing.rest.CostQueries;
import io.gpubroker.contracts.ProviderDriftMeasured;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Compares the ledger with what providers bill for the same instances: for each provider with
 * a billing API (Vast.ai invoices, Rackrr wallet debits, Barrack instance billing) and a
 * configured {@code broker.providers.<name>.base-url} / {@code .api-key}, the ended sessions of
 * the window are matched by instance id, and (broker − provider) / provider is recorded, published
 * as {@code ProviderDriftMeasured} and exported as {@code gpu_provider_cost_drift_ratio}. Only
 * ended sessions are compared: a running one is ahead on the provider side by up to one step.
 * Provider calls go through a {@link ProviderCallGuard} (timeout, retries, circuit breaker per
 * provider). A call that still fails is never read as zero cost: the provider's run is recorded as
 * {@code error}, or (Barrack, one call per instance) that instance is skipped; the next run asks again.
 */
@ApplicationScoped
public class DriftReconciler {
    private static final Logger LOG = Logger.getLogger(DriftReconciler.class);
    public static final List<String> SUPPORTED = List.of("vastai", "rackrr", "barrack");
    public static final BigDecimal TARGET = new BigDecimal("0.01");

    private final Mutiny.SessionFactory sessions;
    private final OutboxWriter outbox;
    private final BillingMetrics metrics;
    private final BrokerClock.Scaled clock;
    private final Duration window;
    private final ProviderCallGuard.Settings guardSettings;
    private final Map<String, ProviderCallGuard> guards = new ConcurrentHashMap<>();
    private final Map<String, Object> clients = new ConcurrentHashMap<>();

    public DriftReconciler(Mutiny.SessionFactory sessions, OutboxWriter outbox, BillingMetrics metrics, BrokerClock.Scaled clock,
                           @ConfigProperty(name = "billing.reconcile.window", defaultValue = "P7D") Duration window,
                           @ConfigProperty(name = "billing.reconcile.timeout", defaultValue = "PT15S") Duration timeout,
                           @ConfigProperty(name = "billing.reconcile.retries", defaultValue = "3") int retries,
                           @ConfigProperty(name = "billing.reconcile.retry-delay", defaultValue = "PT0.5S") Duration retryDelay,
                           @ConfigProperty(name = "billing.reconcile.retry-max-delay", defaultValue = "PT10S") Duration retryMaxDelay,
                           @ConfigProperty(name = "billing.reconcile.retry-after-max", defaultValue = "PT60S") Duration retryAfterMax,
                           @ConfigProperty(name = "billing.reconcile.breaker-volume", defaultValue = "6") int breakerVolume,
                           @ConfigProperty(name = "billing.reconcile.breaker-ratio", defaultValue = "0.5") double breakerRatio,
                           @ConfigProperty(name = "billing.reconcile.breaker-delay", defaultValue = "PT30S") Duration breakerDelay) {
        this.sessions = sessions;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
        this.window = window;
        this.guardSettings = new ProviderCallGuard.Settings(timeout, retries, retryDelay, retryMaxDelay, retryAfterMax,
                breakerVolume, breakerRatio, breakerDelay);
    }

    /** Where a provider's API is; the key is never logged. */
    public record Endpoint(String baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "Endpoint[" + baseUrl + "]";
        }
    }

    /** The last measurement of one provider. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ProviderDrift(String provider, String status, BigDecimal driftRatio, BigDecimal brokerCost,
                                BigDecimal providerCost, int instances, int unmatched, int skipped, Instant measuredAt,
                                String detail) {
    }

    /**
     * What a provider reported: cost per instance id, and the instances whose cost could not be read
     * (their call failed after retries, or the amount was unreadable). Those are skipped, never taken
     * as zero; the next run asks again.
     */
    record Reported(Map<String, BigDecimal> costs, Map<String, String> skipped) {
    }

    /** {@code GET /costs/drift}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DriftReport(BigDecimal targetRatio, List<ProviderDrift> providers) {
    }

    @Scheduled(identity = "billing-reconcile", every = "${billing.reconcile.every:10m}", delayed = "${billing.reconcile.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return reconcileAll().onFailure().invoke(t -> LOG.warnf("reconciliation failed: %s", t.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Reconciles every supported provider that has an endpoint configured. */
    public Uni<List<ProviderDrift>> reconcileAll() {
        Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        for (String p : SUPPORTED) {
            Optional<String> base = ConfigProvider.getConfig().getOptionalValue("broker.providers." + p + ".base-url", String.class);
            Optional<String> key = ConfigProvider.getConfig().getOptionalValue("broker.providers." + p + ".api-key", String.class);
            base.filter(b -> !b.isBlank()).ifPresent(b -> endpoints.put(p, new Endpoint(b, key.orElse(""))));
        }
        return Multi.createFrom().iterable(endpoints.entrySet())
                .onItem().transformToUniAndConcatenate(e -> reconcile(e.getKey(), e.getValue()))
                .collect().asList();
    }

    /** Measures one provider now and records the result (an API failure is recorded as status {@code error}). */
    public Uni<ProviderDrift> reconcile(String provider, Endpoint endpoint) {
        Instant now = clock.instant();
        return sessions.withSession(db -> db.createNativeQuery("""
                                select instance_id, sum(accrued_total), max(currency) from billing.billed_sessions
                                where provider = ?1 and instance_id is not null and started_at is not null
                                  and ended_at is not null and ended_at >= ?2
                                group by instance_id""")
                        .setParameter(1, provider).setParameter(2, Sql.ts(now.minus(window)))
                        .getResultList())
                .chain(rows -> {
                    Map<String, BigDecimal> broker = new HashMap<>();
                    String currency = "USD";
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        broker.put(Sql.text(r[0]), Sql.money(r[1]));
                        currency = Sql.text(r[2]);
                    }
                    String cur = currency;
                    if (broker.isEmpty()) {
                        return record(new ProviderDrift(provider, "no_data", null, BigDecimal.ZERO, BigDecimal.ZERO, 0, 0, 0, now,
                                "no ended sessions with an instance id in the window"), cur);
                    }
                    // a failed call is an error for this run, never "the provider billed zero": the next run asks again
                    return providerCosts(provider, endpoint, broker.keySet())
                            .map(reported -> compare(provider, broker, reported, now))
                            .onFailure().recoverWithItem(t -> new ProviderDrift(provider, "error", null, BigDecimal.ZERO,
                                    BigDecimal.ZERO, 0, 0, broker.size(), now, describe(t)))
                            .chain(d -> record(d, cur));
                });
    }

    private static String describe(Throwable t) {
        return truncate(t instanceof ProviderCallException ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    static ProviderDrift compare(String provider, Map<String, BigDecimal> broker, Reported reported, Instant now) {
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
        String skipNote = skipped == 0 ? "" : "; " + skipped + " instance(s) skipped, retried next run (" + skipReason + ")";
        if (matched == 0 && skipped > 0) {
            return new ProviderDrift(provider, "error", null, BigDecimal.ZERO, BigDecimal.ZERO, 0, unmatched, skipped, now,
                    truncate("no instance could be measured" + skipNote));
        }
        if (p.signum() == 0) {
            return new ProviderDrift(provider, "no_data", null, CostQueries.money(b), CostQueries.money(p), matched, unmatched,
                    skipped, now, truncate("the provider reported no cost for our instances" + skipNote));
        }
        BigDecimal ratio = b.subtract(p).divide(p, 8, RoundingMode.HALF_UP);
        return new ProviderDrift(provider, "ok", ratio, CostQueries.money(b), CostQueries.money(p), matched, unmatched, skipped, now,
                truncate((ratio.abs().compareTo(TARGET) <= 0 ? "within target" : "above the 1% target") + skipNote));
    }

    private static String truncate(String m) {
        return m.length() > 500 ? m.substring(0, 500) : m;
    }

    private Uni<ProviderDrift> record(ProviderDrift d, String currency) {
        return sessions.withTransaction((db, tx) -> db.createNativeQuery("""
                                insert into billing.provider_drift (provider, measured_at, instances, unmatched, broker_cost,
                                    provider_cost, drift_ratio, currency, status, detail, skipped)
                                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)""")
                        .setParameter(1, d.provider()).setParameter(2, Sql.ts(d.measuredAt())).setParameter(3, d.instances())
                        .setParameter(4, d.unmatched()).setParameter(5, d.brokerCost()).setParameter(6, d.providerCost())
                        .setParameter(7, d.driftRatio()).setParameter(8, currency).setParameter(9, d.status())
                        .setParameter(10, d.detail()).setParameter(11, d.skipped())
                        .executeUpdate()
                        .chain(() -> "ok".equals(d.status())
                                ? outbox.append(db, "cost", new ProviderDriftMeasured(d.provider(), d.brokerCost(), d.providerCost(),
                                        d.driftRatio(), d.instances(), d.unmatched(), currency, d.measuredAt())).replaceWithVoid()
                                : Uni.createFrom().voidItem()))
                .invoke(() -> {
                    if ("ok".equals(d.status())) {
                        metrics.drift(d.provider(), d.driftRatio());
                    }
                })
                .replaceWith(d);
    }

    /** The latest measurement per provider. */
    public Uni<DriftReport> latest() {
        return sessions.withSession(db -> db.createNativeQuery("""
                                select distinct on (provider) provider, status, drift_ratio, broker_cost, provider_cost, instances,
                                       unmatched, measured_at, detail, skipped
                                from billing.provider_drift order by provider, measured_at desc, id desc""")
                        .getResultList())
                .map(rows -> {
                    List<ProviderDrift> out = new ArrayList<>();
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        out.add(new ProviderDrift(Sql.text(r[0]), Sql.text(r[1]), Sql.decimalOrNull(r[2]) == null ? null
                                : Sql.decimalOrNull(r[2]).stripTrailingZeros(), CostQueries.money(Sql.money(r[3])),
                                CostQueries.money(Sql.money(r[4])), (int) Sql.count(r[5]), (int) Sql.count(r[6]),
                                (int) Sql.count(r[9]), Sql.instant(r[7]), Sql.text(r[8])));
                    }
                    return new DriftReport(TARGET, out);
                });
    }

    // ---------------------------------------------------------------- provider billing APIs

    /** The provider's guard: one circuit breaker per provider, shared by every run of this process. */
    ProviderCallGuard guard(String provider) {
        return guards.computeIfAbsent(provider, p -> new ProviderCallGuard(p, guardSettings));
    }

    private Uni<Reported> providerCosts(String provider, Endpoint ep, Set<String> instanceIds) {
        ProviderCallGuard guard = guard(provider);
        return switch (provider) {
            case "vastai" -> guard.call(() -> client(ep, ProviderBillingClients.Vast.class).invoices("Bearer " + ep.apiKey()),
                    DriftReconciler::vastInvoices);
            case "rackrr" -> guard.call(() -> client(ep, ProviderBillingClients.Rackrr.class).transactions("Bearer " + ep.apiKey()),
                    DriftReconciler::rackrrDebits);
            case "barrack" -> barrack(guard, ep, instanceIds);
            default -> Uni.createFrom().failure(new IllegalArgumentException("no billing API for " + provider));
        };
    }

    @SuppressWarnings("unchecked")
    private <T> T client(Endpoint ep, Class<T> type) {
        // one client per API and base URL: building one per run would leave its connection pool behind
        return (T) clients.computeIfAbsent(type.getName() + " " + ep.baseUrl(), k -> QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(ep.baseUrl()))
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(guardSettings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                .build(type));
    }

    /** A money amount as the provider sent it (number or numeric string); null when it is not one. */
    static BigDecimal amount(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Sums rows per instance; an instance with any unreadable amount is skipped, not counted short. */
    private static Reported sum(List<Map.Entry<String, JsonNode>> rows) {
        Map<String, BigDecimal> costs = new HashMap<>();
        Map<String, String> skipped = new HashMap<>();
        for (var row : rows) {
            BigDecimal a = amount(row.getValue());
            if (a == null) {
                skipped.put(row.getKey(), "unreadable amount " + row.getValue());
            } else {
                costs.merge(row.getKey(), a, BigDecimal::add);
            }
        }
        skipped.keySet().forEach(costs::remove);
        return new Reported(costs, skipped);
    }

    static Reported vastInvoices(JsonNode body) {
        JsonNode invoices = body == null ? null : body.get("invoices");
        if (invoices == null || !invoices.isArray()) {
            throw ProviderCallException.badAnswer("vastai", errorOf(body, "no invoices"));
        }
        List<Map.Entry<String, JsonNode>> rows = new ArrayList<>();
        for (JsonNode row : invoices) {
            if (row.hasNonNull("instance_id")) {
                rows.add(Map.entry(row.get("instance_id").asText(), row.path("amount")));
            }
        }
        return sum(rows);
    }

    static Reported rackrrDebits(JsonNode body) {
        JsonNode list = body == null ? null : body.isArray() ? body : body.get("transactions");
        if (list == null || !list.isArray()) {
            throw ProviderCallException.badAnswer("rackrr", errorOf(body, "no transactions"));
        }
        List<Map.Entry<String, JsonNode>> rows = new ArrayList<>();
        for (JsonNode t : list) {
            if ("debit".equals(t.path("type").asText()) && t.hasNonNull("vm_id")) {
                rows.add(Map.entry(t.get("vm_id").asText(), t.path("amount")));
            }
        }
        return sum(rows);
    }

    private static String errorOf(JsonNode body, String fallback) {
        if (body == null) {
            return fallback;
        }
        for (String f : List.of("msg", "message", "error")) {
            if (body.hasNonNull(f)) {
                String m = body.get(f).asText();
                return m.length() > 200 ? m.substring(0, 200) : m;
            }
        }
        return fallback;
    }

    /**
     * The itemised billing records (each a stretch at one rate) are what the provider charges;
     * {@code total_cost} is the fallback when a response carries no records. Null when the answer
     * carries no readable cost (a record without one makes the whole answer unreadable).
     */
    static BigDecimal barrackCost(JsonNode data) {
        JsonNode records = data.path("billing_records");
        if (records.isArray() && !records.isEmpty()) {
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode r : records) {
                BigDecimal c = amount(r.get("cost"));
                if (c == null) {
                    return null;
                }
                sum = sum.add(c);
            }
            return sum;
        }
        return amount(data.get("total_cost"));
    }

    /** What one Barrack billing call says of one instance; null cost when unknown to it or skipped. */
    private record InstanceCost(BigDecimal cost) {
    }

    private static InstanceCost barrackAnswer(JsonNode body) {
        if (body == null || !body.path("success").asBoolean(true) || !body.path("data").isObject()) {
            throw ProviderCallException.badAnswer("barrack", errorOf(body, "no data"));
        }
        BigDecimal cost = barrackCost(body.get("data"));
        if (cost == null) {
            throw ProviderCallException.badAnswer("barrack", "no readable cost");
        }
        return new InstanceCost(cost);
    }

    private Uni<Reported> barrack(ProviderCallGuard guard, Endpoint ep, Set<String> instanceIds) {
        ProviderBillingClients.Barrack api = client(ep, ProviderBillingClients.Barrack.class);
        Map<String, BigDecimal> costs = new HashMap<>();
        Map<String, String> skipped = new HashMap<>();
        // one call per instance, one at a time: the provider's rate limit is shared with provisioning.
        // 404: the provider does not know the instance (unmatched). 401/403 and other refusals fail the
        // whole run. Anything transient that outlives the retries (or meets the open breaker) skips
        // only that instance.
        return Multi.createFrom().iterable(instanceIds)
                .onItem().transformToUniAndConcatenate(id -> guard.call(() -> api.billing(id, ep.apiKey()), DriftReconciler::barrackAnswer)
                        .onFailure(t -> t instanceof ProviderCallException p && p.status() == 404)
                        .recoverWithItem(new InstanceCost(null))
                        .onFailure(t -> t instanceof ProviderCallException p && p.kind() != ProviderCallException.Kind.REJECTED)
                        .recoverWithUni(t -> {
                            LOG.warnf("barrack billing of instance %s skipped this run: %s", id, t.getMessage());
                            skipped.put(id, t.getMessage());
                            return Uni.createFrom().item(new InstanceCost(null));
                        })
                        .invoke(c -> {
                            if (c.cost() != null) {
                                costs.put(id, c.cost());
                            }
                        }))
                .collect().last()
                .map(x -> new Reported(costs, skipped));
    }
}
