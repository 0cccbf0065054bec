package io.gpubroker.sim.trooper;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.trooper.TrooperRequests.body;
import static io.gpubroker.sim.trooper.TrooperRequests.integer;
import static io.gpubroker.sim.trooper.TrooperRequests.number;
import static io.gpubroker.sim.trooper.TrooperRequests.parseInt;

import io.gpubroker.sim.core.GpuCatalog;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.Consumer;

/** Trooper's own {@code /_sim} controls: budget, blib refresh, price drift, capacity and price per blib, server reset. */
final class TrooperControlRoutes {

    private final TrooperSim sim;

    TrooperControlRoutes(TrooperSim sim) {
        this.sim = sim;
    }

    void register(Router router) {
        router.get("/_sim/budget").handler(ctx -> json(ctx, 200, sim.budgetView()));
        router.post("/_sim/blibs/refresh").handler(ctx -> {
            sim.catalog.refresh(sim.now());
            json(ctx, 200, Map.of("refreshed", true));
        });
        router.post("/_sim/price-drift").handler(ctx -> json(ctx, 200, Map.of("changed", sim.catalog.driftPrices())));
        router.get("/_sim/blibs/:id").handler(ctx -> withBlib(ctx, b -> json(ctx, 200, b.view(true))));
        router.post("/_sim/blibs/:id/gone")
                .handler(ctx -> withBlib(ctx, b -> {
                    b.capacity = 0;
                    json(ctx, 200, b.view(true));
                }));
        router.post("/_sim/blibs/:id/capacity")
                .handler(ctx -> withBlib(ctx, b -> {
                    JsonObject body = body(ctx);
                    Integer fit = body == null ? null : integer(body, "fitCount");
                    if (fit == null || fit < 0) {
                        json(ctx, 400, Map.of("error", "fitCount >= 0 is required"));
                        return;
                    }
                    b.capacity = fit;
                    json(ctx, 200, b.view(true));
                }));
        router.post("/_sim/blibs/:id/price")
                .handler(ctx -> withBlib(ctx, b -> {
                    JsonObject body = body(ctx);
                    Double price = body == null ? null : number(body, "price_h");
                    if (price != null && price > 0) {
                        b.priceH = GpuCatalog.round(price, 2);
                    } else {
                        sim.catalog.changeBy(b, sim.settings.priceDriftStep);
                    }
                    json(ctx, 200, b.view(true));
                }));
        router.post("/_sim/orders/:id/reset").handler(ctx -> {
            Order o = sim.byOrderId.get(parseInt(ctx.pathParam("id")));
            if (o == null || o.destroyed) {
                json(ctx, 404, Map.of("error", "no live order " + ctx.pathParam("id")));
                return;
            }
            sim.lifecycle.resetServer(o);
            json(ctx, 200, o.controlView(sim.now()));
        });
    }

    private void withBlib(RoutingContext ctx, Consumer<Blib> action) {
        Blib b = sim.catalog.get(parseInt(ctx.pathParam("id")));
        if (b == null) {
            json(ctx, 404, Map.of("error", "no blib " + ctx.pathParam("id")));
            return;
        }
        action.accept(b);
    }
}
