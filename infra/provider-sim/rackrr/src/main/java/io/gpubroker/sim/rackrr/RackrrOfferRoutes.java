package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.ext.web.RoutingContext;
import java.util.function.Predicate;

/** Offer route: {@code /vms/available} from the listed snapshot, filtered by GPU model, location and availability. */
final class RackrrOfferRoutes {

    private final RackrrSim sim;

    RackrrOfferRoutes(RackrrSim sim) {
        this.sim = sim;
    }

    void offers(RoutingContext ctx) {
        String gpu = ctx.queryParams().get("gpu_model");
        String location = ctx.queryParams().get("location");
        String available = ctx.queryParams().get("available");
        Predicate<RackrrOffer> filter = null;
        if (gpu != null || location != null || available != null) {
            filter = o -> (gpu == null || o.gpuModel.equalsIgnoreCase(gpu))
                    && (location == null
                            || o.seed.country().equalsIgnoreCase(location)
                            || o.seed.location().equalsIgnoreCase(location))
                    && (available == null || o.listedAvailable == Boolean.parseBoolean(available));
        }
        json(ctx, 200, sim.catalog.listing(filter));
    }
}
