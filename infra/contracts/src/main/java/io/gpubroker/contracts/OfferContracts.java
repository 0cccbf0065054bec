package io.gpubroker.contracts;

import java.util.Map;

/** Event types on offer.events (published by inventory-service). */
final class OfferContracts {
    static final Map<String, EventCatalog.Entry> ENTRIES = Map.of(
            "OfferPublished", new EventCatalog.Entry(OfferPublished.class, Topics.OFFER_EVENTS, 1),
            "OfferPriceChanged", new EventCatalog.Entry(OfferPriceChanged.class, Topics.OFFER_EVENTS, 1),
            "OfferWithdrawn", new EventCatalog.Entry(OfferWithdrawn.class, Topics.OFFER_EVENTS, 1));

    private OfferContracts() {}
}
