package io.gpubroker.contracts;

import java.util.Map;

/** Messages on {@code provider.offers} (emitted directly by provider-gateway, consumed by inventory-service). */
final class OfferFeedContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of(
            "OfferSnapshotPage", new EventCatalog.Entry(OfferSnapshotPage.class, Topics.PROVIDER_OFFERS, 1),
            "OfferPollFailed", new EventCatalog.Entry(OfferPollFailed.class, Topics.PROVIDER_OFFERS, 1));

    private OfferFeedContracts() {}
}
