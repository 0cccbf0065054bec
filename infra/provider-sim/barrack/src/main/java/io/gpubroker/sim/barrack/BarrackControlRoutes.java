package io.gpubroker.sim.barrack;

import static io.gpubroker.sim.barrack.BarrackRequests.body;
import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** Barrack's own {@code /_sim} controls: live and advertised stock, prices and balance. */
final class BarrackControlRoutes {

    private final BarrackSim sim;

    BarrackControlRoutes(BarrackSim sim) {
        this.sim = sim;
    }

    void register(Router router) {
        control(
                router,
                HttpMethod.GET,
                "/_sim/stock",
                ctx -> json(ctx, 200, Map.of("live", sim.catalog.live(), "snapshot", sim.catalog.snapshot())));
        control(router, HttpMethod.POST, "/_sim/stock", ctx -> {
            JsonObject b = body(ctx);
            if (BarrackCatalog.model(b.getString("gpu_model", "")) == null
                    || BarrackCatalog.region(b.getString("region", "")) == null) {
                throw new BadRequest("region and gpu_model must name a Barrack region and model");
            }
            String key =
                    BarrackCatalog.key(b.getString("region"), b.getString("gpu_model"), b.getInteger("gpu_count", 1));
            sim.catalog.setLiveStock(key, b.getInteger("available", 0));
            if (b.getBoolean("refresh", false)) {
                sim.catalog.refreshSnapshot();
            }
            json(
                    ctx,
                    200,
                    Map.of(
                            "key",
                            key,
                            "live",
                            sim.catalog.liveStock(key),
                            "advertised",
                            sim.catalog.snapshot().getOrDefault(key, 0)));
        });
        control(router, HttpMethod.POST, "/_sim/stock/refresh", ctx -> {
            sim.catalog.refreshSnapshot();
            json(ctx, 200, Map.of("snapshot", sim.catalog.snapshot()));
        });
        control(router, HttpMethod.POST, "/_sim/prices", ctx -> {
            JsonObject b = ctx.body().length() > 0 ? body(ctx) : new JsonObject();
            if (b.getString("gpu_model") != null && BarrackCatalog.model(b.getString("gpu_model")) != null) {
                sim.catalog.setPrice(b.getString("gpu_model"), b.getDouble("usd"));
            } else {
                sim.catalog.drift(sim.config().getDouble("barrack.price-drift-pct", 0.02));
            }
            Map<String, Double> prices = new LinkedHashMap<>();
            BarrackCatalog.MODELS.forEach(m -> prices.put(m.name(), sim.catalog.price(m.name())));
            json(ctx, 200, Map.of("prices", prices));
        });
        control(router, HttpMethod.POST, "/_sim/balance", ctx -> {
            double wanted = body(ctx).getDouble("balance");
            sim.credit = wanted + sim.spent().doubleValue();
            json(ctx, 200, Map.of("balance", sim.balanceNow()));
        });
    }

    private void control(Router router, HttpMethod method, String path, Handler<RoutingContext> h) {
        router.route(method, path).handler(ctx -> {
            try {
                h.handle(ctx);
            } catch (RuntimeException e) {
                json(ctx, 400, Map.of("error", String.valueOf(e.getMessage())));
            }
        });
    }
}
