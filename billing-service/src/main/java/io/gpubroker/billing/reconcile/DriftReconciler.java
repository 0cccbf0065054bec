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
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

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
    private final Duration timeout;

    public DriftReconciler(Mutiny.SessionFactory sessions, OutboxWriter outbox, BillingMetrics metrics, BrokerClock.Scaled clock,
                           @ConfigProperty(name = "billing.reconcile.window", defaultValue = "P7D") Duration window,
                           @ConfigProperty(name = "billing.reconcile.timeout", defaultValue = "PT20S") Duration timeout) {
        this.sessions = sessions;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
        this.window = window;
        this.timeout = timeout;
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
                                BigDecimal providerCost, int instances, int unmatched, Instant measuredAt, String detail) {
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
                        return record(new ProviderDrift(provider, "no_data", null, BigDecimal.ZERO, BigDecimal.ZERO, 0, 0, now,
                                "no ended sessions with an instance id in the window"), cur);
                    }
                    return providerCosts(provider, endpoint, broker.keySet())
                            .ifNoItem().after(timeout).fail()
                            .map(reported -> compare(provider, broker, reported, now))
                            .onFailure().recoverWithItem(t -> new ProviderDrift(provider, "error", null, BigDecimal.ZERO,
                                    BigDecimal.ZERO, 0, 0, now, describe(t)))
                            .chain(d -> record(d, cur));
                });
    }

    private static String describe(Throwable t) {
        String m = t instanceof WebApplicationException w && w.getResponse() != null
                ? "provider answered HTTP " + w.getResponse().getStatus() : t.getClass().getSimpleName() + ": " + t.getMessage();
        return m.length() > 500 ? m.substring(0, 500) : m;
    }

    static ProviderDrift compare(String provider, Map<String, BigDecimal> broker, Map<String, BigDecimal> reported, Instant now) {
        BigDecimal b = BigDecimal.ZERO;
        BigDecimal p = BigDecimal.ZERO;
        int matched = 0;
        int unmatched = 0;
        for (var e : broker.entrySet()) {
            BigDecimal theirs = reported.get(e.getKey());
            if (theirs == null) {
                unmatched++;
                continue;
            }
            matched++;
            b = b.add(e.getValue());
            p = p.add(theirs);
        }
        if (p.signum() == 0) {
            return new ProviderDrift(provider, "no_data", null, CostQueries.money(b), CostQueries.money(p), matched, unmatched, now,
                    "the provider reported no cost for our instances");
        }
        BigDecimal ratio = b.subtract(p).divide(p, 8, RoundingMode.HALF_UP);
        return new ProviderDrift(provider, "ok", ratio, CostQueries.money(b), CostQueries.money(p), matched, unmatched, now,
                ratio.abs().compareTo(TARGET) <= 0 ? "within target" : "above the 1% target");
    }

    private Uni<ProviderDrift> record(ProviderDrift d, String currency) {
        return sessions.withTransaction((db, tx) -> db.createNativeQuery("""
                                insert into billing.provider_drift (provider, measured_at, instances, unmatched, broker_cost,
                                    provider_cost, drift_ratio, currency, status, detail)
                                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)""")
                        .setParameter(1, d.provider()).setParameter(2, Sql.ts(d.measuredAt())).setParameter(3, d.instances())
                        .setParameter(4, d.unmatched()).setParameter(5, d.brokerCost()).setParameter(6, d.providerCost())
                        .setParameter(7, d.driftRatio()).setParameter(8, currency).setParameter(9, d.status())
                        .setParameter(10, d.detail())
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
                                       unmatched, measured_at, detail
                                from billing.provider_drift order by provider, measured_at desc, id desc""")
                        .getResultList())
                .map(rows -> {
                    List<ProviderDrift> out = new ArrayList<>();
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        out.add(new ProviderDrift(Sql.text(r[0]), Sql.text(r[1]), Sql.decimalOrNull(r[2]) == null ? null
                                : Sql.decimalOrNull(r[2]).stripTrailingZeros(), CostQueries.money(Sql.money(r[3])),
                                CostQueries.money(Sql.money(r[4])), (int) Sql.count(r[5]), (int) Sql.count(r[6]),
                                Sql.instant(r[7]), Sql.text(r[8])));
                    }
                    return new DriftReport(TARGET, out);
                });
    }

    // ---------------------------------------------------------------- provider billing APIs

    private Uni<Map<String, BigDecimal>> providerCosts(String provider, Endpoint ep, Set<String> instanceIds) {
        return switch (provider) {
            case "vastai" -> client(ep, ProviderBillingClients.Vast.class).invoices("Bearer " + ep.apiKey())
                    .map(DriftReconciler::vastInvoices);
            case "rackrr" -> client(ep, ProviderBillingClients.Rackrr.class).transactions("Bearer " + ep.apiKey())
                    .map(DriftReconciler::rackrrDebits);
            case "barrack" -> barrack(ep, instanceIds);
            default -> Uni.createFrom().failure(new IllegalArgumentException("no billing API for " + provider));
        };
    }

    private <T> T client(Endpoint ep, Class<T> type) {
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(ep.baseUrl()))
                .connectTimeout(5, TimeUnit.SECONDS).readTimeout(15, TimeUnit.SECONDS).build(type);
    }

    static Map<String, BigDecimal> vastInvoices(JsonNode body) {
        Map<String, BigDecimal> out = new HashMap<>();
        for (JsonNode row : body.path("invoices")) {
            if (row.hasNonNull("instance_id") && row.hasNonNull("amount")) {
                out.merge(row.get("instance_id").asText(), row.get("amount").decimalValue(), BigDecimal::add);
            }
        }
        return out;
    }

    static Map<String, BigDecimal> rackrrDebits(JsonNode body) {
        Map<String, BigDecimal> out = new HashMap<>();
        JsonNode list = body.isArray() ? body : body.path("transactions");
        for (JsonNode t : list) {
            if ("debit".equals(t.path("type").asText()) && t.hasNonNull("vm_id") && t.hasNonNull("amount")) {
                out.merge(t.get("vm_id").asText(), t.get("amount").decimalValue(), BigDecimal::add);
            }
        }
        return out;
    }

    /**
     * The itemised billing records (each a stretch at one rate) are what the provider charges;
     * {@code total_cost} is the fallback when a response carries no records.
     */
    static BigDecimal barrackCost(JsonNode data) {
        JsonNode records = data.path("billing_records");
        if (records.isArray() && !records.isEmpty()) {
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode r : records) {
                sum = sum.add(r.path("cost").decimalValue());
            }
            return sum;
        }
        JsonNode total = data.path("total_cost");
        return total.isMissingNode() || total.isNull() ? null : total.decimalValue();
    }

    private Uni<Map<String, BigDecimal>> barrack(Endpoint ep, Set<String> instanceIds) {
        ProviderBillingClients.Barrack api = client(ep, ProviderBillingClients.Barrack.class);
        Map<String, BigDecimal> out = new HashMap<>();
        // one call per instance, one at a time: the provider's rate limit is shared with provisioning
        return Multi.createFrom().iterable(instanceIds)
                .onItem().transformToUniAndConcatenate(id -> api.billing(id, ep.apiKey())
                        .invoke(body -> {
                            BigDecimal cost = barrackCost(body.path("data"));
                            if (cost != null) {
                                out.put(id, cost);
                            }
                        })
                        .onFailure(t -> t instanceof WebApplicationException w && w.getResponse() != null
                                && w.getResponse().getStatus() == 404)
                        .recoverWithNull())
                .collect().last()
                .replaceWith(out);
    }
}
