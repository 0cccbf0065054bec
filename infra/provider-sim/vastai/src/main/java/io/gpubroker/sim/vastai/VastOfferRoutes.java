package io.gpubroker.sim.vastai;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.vastai.VastHttp.body;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/** Offer search ({@code /bundles/}, {@code /search/asks/}) and template search. */
final class VastOfferRoutes {

    private final VastAiSim sim;

    VastOfferRoutes(VastAiSim sim) {
        this.sim = sim;
    }

    void searchOffers(RoutingContext ctx) {
        JsonObject query;
        if (ctx.request().method() == HttpMethod.GET) {
            String q = ctx.request().getParam("q");
            query = q == null || q.isBlank() ? new JsonObject() : new JsonObject(q);
        } else {
            JsonObject body = body(ctx);
            query = body.getValue("q") instanceof JsonObject inner ? inner.copy() : body;
            if (body.getValue("q") instanceof JsonObject) {
                for (String k : List.of("limit", "order", "type", "allocated_storage")) {
                    if (body.containsKey(k) && !query.containsKey(k)) {
                        query.put(k, body.getValue(k));
                    }
                }
            }
        }
        VastOffers.Found found = sim.offers.search(
                query,
                sim.config().getInt("vastai.offers.default-limit", 64),
                sim.config().getInt("vastai.offers.max-limit", 100_000));
        if (found.rows().size() < 1000) {
            json(ctx, 200, Map.of("offers", found.views()));
            return;
        }
        // benchmark-sized answers (20k offers = ~18 MB) are rendered on a worker, not the event loop
        sim.vx()
                .<String>executeBlocking(() -> Json.encode(Map.of("offers", found.views())), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        json(ctx, 200, ar.result());
                    } else {
                        sim.error(
                                ctx,
                                500,
                                "could not render offers: " + ar.cause().getMessage());
                    }
                });
    }

    void searchTemplates(RoutingContext ctx) {
        String f = ctx.request().getParam("select_filters");
        JsonObject filters = f == null || f.isBlank() ? new JsonObject() : new JsonObject(f);
        json(ctx, 200, Map.of("templates", sim.templates.search(filters)));
    }
}
