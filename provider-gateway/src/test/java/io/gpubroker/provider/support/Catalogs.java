package io.gpubroker.provider.support;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.provider.config.Providers;
import java.time.Instant;
import java.util.List;

/** Picks an offer a test can really provision on each simulator. */
public final class Catalogs {
    private Catalogs() {}

    public static List<NormalisedOffer> offers(Providers providers, String provider) {
        var p = providers.get(provider).orElseThrow();
        return p.guard().call("offers", () -> p.adapter().fetchOffers(Instant.now()));
    }

    public static NormalisedOffer provisionable(Providers providers, String provider) {
        return offers(providers, provider).stream()
                .filter(NormalisedOffer::available)
                // Rackrr: a dedicated VM (shared ones may be full, scheduled ones wait)
                .filter(o -> !provider.equals("rackrr")
                        || "dedicated".equals(o.provisioning().get("vm_type")))
                .filter(o -> o.availableCount() == null || o.availableCount() > 0)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no provisionable offer on " + provider));
    }
}
