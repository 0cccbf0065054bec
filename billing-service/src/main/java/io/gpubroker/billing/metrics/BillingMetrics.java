package io.gpubroker.billing.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Billing's Prometheus metrics. The ledger in PostgreSQL is the money truth; these are for
 * dashboards and alerts: {@code gpu_cost_accrued_usd_total{provider,gpu_type}} (positive accruals
 * written by this process; corrections downwards are not subtracted, counters only grow),
 * {@code gpu_budget_used_ratio{consumer_id}} (spent / monthly limit this month, refreshed from the
 * database), {@code gpu_provider_cost_drift_ratio{provider}} (the last reconciliation),
 * {@code gpu_provider_cost_drift_alerts_total{provider}} (measurements above the alert threshold) and
 * {@code gpu_instance_cost_usd_total{provider,flag}} (instance charges no session covers).
 */
@ApplicationScoped
public class BillingMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> accrued = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> budget = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> drift = new ConcurrentHashMap<>();

    public BillingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void accrued(String provider, String gpuType, BigDecimal amount) {
        if (amount == null || amount.signum() <= 0) {
            return;
        }
        String gpu = gpuType == null ? "unknown" : gpuType;
        accrued.computeIfAbsent(
                        provider + "\u0000" + gpu,
                        k -> Counter.builder("gpu.cost.accrued.usd")
                                .description("Cost written to the ledger (USD)")
                                .tag("provider", provider)
                                .tag("gpu_type", gpu)
                                .register(registry))
                .increment(amount.doubleValue());
    }

    /** An instance charge (boot, destroy_delay, failed_attempt, orphan) written to the instance ledger. */
    public void instanceCharged(String provider, String flag, BigDecimal amount) {
        if (amount == null || amount.signum() <= 0) {
            return;
        }
        accrued.computeIfAbsent(
                        "instance\u0000" + provider + "\u0000" + flag,
                        k -> Counter.builder("gpu.instance.cost.usd")
                                .description("Instance cost no session covers, written to the instance ledger (USD)")
                                .tag("provider", provider)
                                .tag("flag", flag)
                                .register(registry))
                .increment(amount.doubleValue());
    }

    /** A reconciliation measured drift above the alert threshold. */
    public void driftAlert(String provider) {
        registry.counter("gpu.provider.cost.drift.alerts", "provider", provider).increment();
    }

    public void budgetUsed(String consumerId, BigDecimal ratio) {
        gauge(budget, "gpu.budget.used.ratio", "consumer_id", consumerId, "Spent / monthly budget, this month")
                .set(ratio == null ? 0.0 : ratio.doubleValue());
    }

    public void drift(String provider, BigDecimal ratio) {
        gauge(
                        drift,
                        "gpu.provider.cost.drift.ratio",
                        "provider",
                        provider,
                        "(broker cost - provider-reported cost) / provider-reported cost, last reconciliation")
                .set(ratio == null ? 0.0 : ratio.doubleValue());
    }

    private AtomicReference<Double> gauge(
            Map<String, AtomicReference<Double>> holders, String name, String tag, String value, String description) {
        return holders.computeIfAbsent(value, v -> {
            AtomicReference<Double> ref = new AtomicReference<>(0.0);
            Gauge.builder(name, ref, AtomicReference::get)
                    .description(description)
                    .tag(tag, v)
                    .register(registry);
            return ref;
        });
    }
}
