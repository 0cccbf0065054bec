package io.gpubroker.inventory.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.config.InventoryConfig;
import io.gpubroker.inventory.health.OfferHealth;
import io.gpubroker.kit.clock.BrokerClock;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code /offer-health}: recent provisioning failures and what is suppressed because of them. */
@Path("/offer-health")
@Produces(MediaType.APPLICATION_JSON)
public class OfferHealthResource {

    private final OfferHealth health;
    private final OfferCatalog catalog;
    private final BrokerClock.Scaled clock;
    private final InventoryConfig config;

    public OfferHealthResource(
            OfferHealth health, OfferCatalog catalog, BrokerClock.Scaled clock, InventoryConfig config) {
        this.health = health;
        this.catalog = catalog;
        this.clock = clock;
        this.config = config;
    }

    /** Failing and suppressed keys, the policy, and how many catalog offers are hidden right now. */
    public record Report(
            @JsonProperty("window") String window,
            @JsonProperty("cooldown") String cooldown,
            @JsonProperty("suppress_after") Map<String, Integer> suppressAfter,
            @JsonProperty("suppressed_offers") int suppressedOffers,
            @JsonProperty("entries") List<OfferHealth.KeyView> entries) {}

    @GET
    public Report report() {
        OfferCatalog.View v = catalog.view();
        int hidden = v.health() == null ? 0 : v.health().suppressedCount(clock.millis());
        return new Report(
                text(health.window()),
                text(health.cooldown()),
                Map.of(
                        "offer",
                        config.health().suppressOfferAfter(),
                        "machine",
                        config.health().suppressMachineAfter(),
                        "gpu_type",
                        config.health().suppressGpuTypeAfter()),
                hidden,
                health.view(clock.instant()));
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
