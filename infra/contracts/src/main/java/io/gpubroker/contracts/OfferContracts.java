package io.gpubroker.contracts;

import java.util.Map;

/** Event types on offer.events (published by inventory-service). */
final class OfferContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of();

    private OfferContracts() {
    }
}
