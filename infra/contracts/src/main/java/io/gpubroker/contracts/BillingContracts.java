package io.gpubroker.contracts;

import java.util.Map;

/** Event types on cost.events / budget.events (published by billing-service). */
final class BillingContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of();

    private BillingContracts() {
    }
}
