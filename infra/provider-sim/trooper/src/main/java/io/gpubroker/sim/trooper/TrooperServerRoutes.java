package io.gpubroker.sim.trooper;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.trooper.TrooperRequests.body;
import static io.gpubroker.sim.trooper.TrooperRequests.integer;
import static io.gpubroker.sim.trooper.TrooperRequests.queryInt;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Per-server routes: title, lock, SSH credentials and status history. */
final class TrooperServerRoutes {

    private final TrooperSim sim;

    TrooperServerRoutes(TrooperSim sim) {
        this.sim = sim;
    }

    void title(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : sim.byServerId.get(integer(b, "serverId"));
        if (o == null) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        if (!(b.getValue("title") instanceof String t)) {
            sim.error(ctx, 400, "Invalid or missing title.");
            return;
        }
        o.tag = t;
        json(ctx, 200, new TrooperJson.Message(true, "Title updated successfully"));
    }

    void lock(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : sim.byServerId.get(integer(b, "serverId"));
        if (o == null || o.destroyed) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        o.locked = Boolean.TRUE.equals(b.getValue("is_locked"));
        json(ctx, 200, new TrooperJson.LockUpdated(true, 1));
    }

    void credentials(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : sim.byServerId.get(integer(b, "serverId"));
        if (o == null || o.destroyed) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        json(
                ctx,
                200,
                new TrooperJson.Credentials(
                        true, sim.settings.ip, o.sshPort, sim.settings.sshUser, o.password, o.state));
    }

    void history(RoutingContext ctx) {
        Order o = sim.byOrderId.get(queryInt(ctx, "order_id"));
        if (o == null) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        json(ctx, 200, new TrooperJson.History(true, List.copyOf(o.history)));
    }
}
