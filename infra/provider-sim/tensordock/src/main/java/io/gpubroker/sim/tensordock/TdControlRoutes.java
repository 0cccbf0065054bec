package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** TensorDock's own {@code /_sim} controls: settings, rate limit, snapshot, price drift and hostnode capacity. */
final class TdControlRoutes {

    private final TensorDockSim sim;

    TdControlRoutes(TensorDockSim sim) {
        this.sim = sim;
    }

    void register(Router router) {
        router.get("/_sim/settings").handler(ctx -> json(ctx, 200, sim.settings.view()));
        router.post("/_sim/settings").handler(ctx -> {
            try {
                sim.settings.update(ctx.body().asJsonObject());
                json(ctx, 200, sim.settings.view());
            } catch (RuntimeException e) {
                json(ctx, 400, Map.of("error", String.valueOf(e.getMessage())));
            }
        });
        router.post("/_sim/rate-limit").handler(ctx -> {
            JsonObject b = ctx.body().asJsonObject();
            sim.rateLimiter = new RateLimiter(b == null ? 0 : b.getInteger("per_minute", 0));
            json(ctx, 200, Map.of("per_minute", sim.rateLimiter.limit()));
        });
        router.post("/_sim/snapshot").handler(ctx -> {
            sim.catalog.refresh(sim.now());
            json(ctx, 200, Map.of("taken_at", sim.now().toString(), "hostnodes", sim.catalog.hostnodes.size()));
        });
        router.post("/_sim/prices/drift").handler(ctx -> {
            JsonObject b = ctx.body().available() ? ctx.body().asJsonObject() : new JsonObject();
            String id = b == null ? null : b.getString("hostnode_id");
            if (id != null) {
                Hostnode h = sim.catalog.hostnodesById.get(id);
                Double price = b.getDouble("price_per_hr");
                if (h == null || price == null || price <= 0) {
                    json(ctx, 400, Map.of("error", "known hostnode_id and positive price_per_hr required"));
                    return;
                }
                h.pricePerGpu = price;
            } else {
                int steps = b == null ? 1 : b.getInteger("steps", 1);
                for (int i = 0; i < steps; i++) {
                    sim.catalog.driftPrices();
                }
            }
            json(ctx, 200, Map.of("drifted", true));
        });
        router.get("/_sim/hostnodes/:id").handler(ctx -> withHostnode(ctx, h -> {}));
        router.post("/_sim/hostnodes/:id/gone").handler(ctx -> withHostnode(ctx, h -> h.gpuWithheld = h.gpuFree));
        router.post("/_sim/hostnodes/:id/restore").handler(ctx -> withHostnode(ctx, h -> h.gpuWithheld = 0));
    }

    private void withHostnode(RoutingContext ctx, Consumer<Hostnode> change) {
        Hostnode h = sim.catalog.hostnodesById.get(ctx.pathParam("id"));
        if (h == null) {
            json(ctx, 404, Map.of("error", "no hostnode " + ctx.pathParam("id")));
            return;
        }
        change.accept(h);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", h.id);
        m.put("location_id", h.location.id());
        m.put("v0Name", h.gpuName.v0Name());
        m.put("gpu_total", h.gpuTotal);
        m.put("gpu_available", h.gpuAvailable());
        m.put("gpu_withheld", h.gpuWithheld);
        m.put("vcpu_free", h.vcpuFree);
        m.put("ram_free", h.ramFree);
        m.put("storage_free", h.storageFree);
        m.put("dedicated_ips_free", h.dedicatedIpFree);
        m.put("price_per_hr", h.pricePerGpu);
        m.put("free_ports", h.freePorts());
        json(ctx, 200, m);
    }
}
