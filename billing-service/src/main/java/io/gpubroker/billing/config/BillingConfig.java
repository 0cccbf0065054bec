package io.gpubroker.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Billing-service settings (prefix {@code billing}). The schedules ({@code every}, {@code delay},
 * {@code gauge-refresh}) are read by {@code @Scheduled} expressions too; they are mapped here so a
 * bad value fails at start rather than when the job first runs.
 */
@ConfigMapping(prefix = "billing")
public interface BillingConfig {

    Accrual accrual();

    Budget budget();

    Reconcile reconcile();

    InstanceCosts instanceCosts();

    /** Who pays for an instance's cost that no session ledger covers (docs/adr/0019). */
    interface InstanceCosts {
        /** Who absorbs failed launches (instances no session ever ran on): the session's consumer, or the operator account. */
        enum Payer {
            consumer,
            operator
        }

        /** The failed-launch policy; orphans are always the operator's, boot and destroy delay the session consumer's. */
        @WithDefault("operator")
        Payer failedLaunchPayer();

        /** The account (a consumer id in every report) operator-absorbed charges are booked to. */
        @WithDefault("operator")
        String operatorAccount();
    }

    /** Ledger accrual of running sessions. */
    interface Accrual {
        /** How often whole minutes of running sessions are written. */
        @WithDefault("10s")
        Duration every();

        /** Sessions per accrual transaction. */
        @WithDefault("500")
        int batch();
    }

    /** Monthly budgets. */
    interface Budget {
        /** Share of the budget at which {@code BudgetWarning} fires. */
        @WithDefault("0.8")
        BigDecimal warningShare();

        /** How often the per-consumer budget gauges are refreshed from the database. */
        @WithDefault("30s")
        Duration gaugeRefresh();
    }

    /** Drift reconciliation against provider billing (read through provider-gateway). */
    interface Reconcile {
        @WithDefault("10m")
        Duration every();

        /** Wait after start before the first run. */
        @WithDefault("1m")
        Duration delay();

        /** Ended sessions compared: those that ended within this window before now (broker clock). */
        @WithDefault("P7D")
        Duration window();

        /** |drift ratio| above which a measurement raises {@code ProviderDriftAlert} (and counts in {@code gpu_provider_cost_drift_alerts_total}). */
        @WithDefault("0.01")
        BigDecimal alertThreshold();
    }
}
