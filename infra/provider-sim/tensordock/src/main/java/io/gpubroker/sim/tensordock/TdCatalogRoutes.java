package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.ext.web.RoutingContext;

/** Catalog routes: the hostnode list (filtered by query) and one hostnode. */
final class TdCatalogRoutes {

    private final TensorDockSim sim;

    TdCatalogRoutes(TensorDockSim sim) {
        this.sim = sim;
    }

    void listHostnodes(RoutingContext ctx) {
        try {
            json(ctx, 200, sim.catalog.hostnodesJson(sim.now(), ctx.queryParams()));
        } catch (NumberFormatException e) {
            sim.error(ctx, 400, "Invalid query parameter: " + e.getMessage());
        }
    }

    void getHostnode(RoutingContext ctx) {
        TdJson.HostnodeBody body = sim.catalog.hostnode(sim.now(), ctx.pathParam("id"));
        if (body == null) {
            sim.error(ctx, 404, "Hostnode not found");
        } else {
            json(ctx, 200, body);
        }
    }
}
