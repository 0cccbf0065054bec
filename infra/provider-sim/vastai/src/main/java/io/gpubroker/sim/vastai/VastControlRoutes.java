package io.gpubroker.sim.vastai;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Map;

/** Vast's own {@code /_sim} controls: refresh or withdraw asks, drift prices, deprecate the v0 list, set credit. */
final class VastControlRoutes {

    private final VastAiSim sim;

    VastControlRoutes(VastAiSim sim) {
        this.sim = sim;
    }

    void register(Router router) {
        router.post("/_sim/offers/refresh").handler(ctx -> {
            sim.offers.refresh(sim.now().getEpochSecond());
            json(ctx, 200, Map.of("offers", sim.offers.snapshot().size()));
        });
        router.post("/_sim/offers/:askId/gone").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            boolean gone = b == null || b.getBoolean("gone", true);
            long ask = Long.parseLong(ctx.pathParam("askId"));
            if (!sim.offers.takeByOthers(ask, gone)) {
                json(ctx, 404, Map.of("error", "no ask " + ask));
                return;
            }
            json(ctx, 200, Map.of("ask_id", ask, "gone", gone));
        });
        router.post("/_sim/prices/drift").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : null;
            double pct = b == null ? 0.05 : b.getDouble("pct", 0.05);
            int steps = b == null ? 1 : b.getInteger("steps", 1);
            for (int i = 0; i < steps; i++) {
                sim.offers.drift(pct);
            }
            if (b == null || b.getBoolean("refresh", true)) {
                sim.offers.refresh(sim.now().getEpochSecond());
            }
            json(ctx, 200, Map.of("drifted", steps, "pct", pct));
        });
        router.post("/_sim/v0-list").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : new JsonObject();
            sim.v0ListDeprecated = b.getBoolean("deprecated", true);
            json(ctx, 200, Map.of("deprecated", sim.v0ListDeprecated));
        });
        router.post("/_sim/credit").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : new JsonObject();
            double want = b.getDouble("credit", 1000.0);
            sim.creditBase = want + sim.creditBase - sim.credit().doubleValue();
            json(ctx, 200, Map.of("credit", sim.credit()));
        });
    }
}
