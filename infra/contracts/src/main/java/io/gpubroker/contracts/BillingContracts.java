package io.gpubroker.contracts;

import java.util.Map;

/** Event types on cost.events / budget.events (published by billing-service). */
final class BillingContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of(
            "CostAccrued", new EventCatalog.Entry(CostAccrued.class, Topics.COST_EVENTS, 1),
            "ProviderDriftMeasured", new EventCatalog.Entry(ProviderDriftMeasured.class, Topics.COST_EVENTS, 1),
            "ProviderDriftAlert", new EventCatalog.Entry(ProviderDriftAlert.class, Topics.COST_EVENTS, 1),
            "BudgetWarning", new EventCatalog.Entry(BudgetWarning.class, Topics.BUDGET_EVENTS, 1),
            "BudgetExceeded", new EventCatalog.Entry(BudgetExceeded.class, Topics.BUDGET_EVENTS, 1));

    private BillingContracts() {}
}
