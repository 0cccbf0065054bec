package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.util.Map;
import java.util.function.Consumer;

/** Rackrr's own {@code /_sim} controls: offer snapshot, price drift, offer capacity and the wallet balance. */
final class RackrrControlRoutes {

    private final RackrrSim sim;

    RackrrControlRoutes(RackrrSim sim) {
        this.sim = sim;
    }

    void register(Router router) {
        router.post("/_sim/offers/refresh").handler(ctx -> {
            sim.catalog.refreshSnapshot();
            json(ctx, 200, Map.of("refreshed", true));
        });
        router.post("/_sim/prices/drift").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            int steps = b == null ? 1 : b.getInteger("steps", 1);
            for (int i = 0; i < steps; i++) {
                sim.catalog.driftPrices();
            }
            json(ctx, 200, Map.of("steps", steps));
        });
        router.get("/_sim/offers/:ref")
                .handler(ctx -> withOffer(ctx, o -> json(ctx, 200, RackrrViews.offerControlView(o))));
        router.post("/_sim/offers/:ref/gone")
                .handler(ctx -> withOffer(ctx, o -> {
                    o.freeGpus = 0;
                    json(ctx, 200, RackrrViews.offerControlView(o));
                }));
        router.post("/_sim/offers/:ref/capacity")
                .handler(ctx -> withOffer(ctx, o -> {
                    JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
                    Integer free = b == null ? null : b.getInteger("free_gpus");
                    if (free == null || free < 0) {
                        json(ctx, 400, Map.of("error", "free_gpus (>= 0) is required"));
                        return;
                    }
                    o.freeGpus = free;
                    sim.lifecycle.promoteScheduled(o);
                    json(ctx, 200, RackrrViews.offerControlView(o));
                }));
        router.post("/_sim/wallet").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            Double target = b == null ? null : b.getDouble("balance");
            if (target == null) {
                json(ctx, 400, Map.of("error", "balance is required"));
                return;
            }
            sim.wallet.adjust(BigDecimal.valueOf(target).subtract(sim.wallet.balance(sim.vms(), sim.now())), sim.now());
            json(ctx, 200, Map.of("balance", sim.wallet.balance(sim.vms(), sim.now())));
        });
    }

    private void withOffer(RoutingContext ctx, Consumer<RackrrOffer> action) {
        RackrrOffer o = sim.catalog.byRef(ctx.pathParam("ref"));
        if (o == null) {
            json(ctx, 404, Map.of("error", "no offer with provider_ref " + ctx.pathParam("ref")));
            return;
        }
        action.accept(o);
    }
}
