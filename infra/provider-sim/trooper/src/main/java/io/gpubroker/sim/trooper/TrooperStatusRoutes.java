package io.gpubroker.sim.trooper;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.trooper.TrooperRequests.body;
import static io.gpubroker.sim.trooper.TrooperRequests.integer;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** Status changes through {@code /api/order-status}: start (with migration), stop, restart, freeze and terminate. */
final class TrooperStatusRoutes {

    private final TrooperSim sim;

    TrooperStatusRoutes(TrooperSim sim) {
        this.sim = sim;
    }

    void orderStatus(RoutingContext ctx) {
        JsonObject b = body(ctx);
        if (b == null) {
            sim.error(ctx, 400, "Invalid JSON body");
            return;
        }
        String action = b.getValue("action") instanceof String s ? s : "";
        String op = switch (action) {
            case "running" -> "start";
            case "stopped" -> "stop";
            case "restarted" -> "restart";
            case "frozen" -> "freeze";
            default ->
                !sim.settings.terminateAction.isEmpty() && action.equals(sim.settings.terminateAction)
                        ? "destroy"
                        : null;
        };
        if (op == null) {
            sim.error(ctx, 400, "Invalid action.");
            return;
        }
        sim.withActionFault(ctx, op, () -> changeStatus(ctx, b, op));
    }

    private void changeStatus(RoutingContext ctx, JsonObject b, String op) {
        Order o = sim.byServerId.get(integer(b, "serverId"));
        if (o == null || o.destroyed && !op.equals("destroy")) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        if (o.locked) {
            json(ctx, 403, new TrooperJson.Error(false, TrooperSim.LOCKED, null));
            return;
        }
        switch (op) {
            case "start" -> start(ctx, o, Boolean.TRUE.equals(b.getValue("migration_allowed")));
            case "stop" -> {
                if (!o.state.equals("stopped")) {
                    int gen = ++o.generation;
                    o.record("stopped", "Server stopped by user", sim.now());
                    o.state = "stopping";
                    sim.after(sim.timing("stop", Duration.ofSeconds(30)), () -> {
                        if (sim.lifecycle.current(o, gen)) {
                            o.state = "stopped";
                            sim.lifecycle.wantSsh(o, false);
                            o.bill(sim.now(), sim.settings.stoppedBillingFraction);
                        }
                    });
                }
                json(ctx, 200, new TrooperJson.StatusChanged(true, "Server stop initiated successfully", o.state));
            }
            case "restart" -> {
                o.record("running", "Server restarted by user", sim.now());
                o.bill(sim.now(), 1.0);
                sim.lifecycle.transitionToRunning(o, "restarting", sim.timing("restart", Duration.ofSeconds(30)));
                json(ctx, 200, new TrooperJson.StatusChanged(true, "Server restart initiated successfully", o.state));
            }
            case "freeze" -> {
                if (!o.state.equals("frozen")) {
                    int gen = ++o.generation;
                    o.record("frozen", "Server frozen by user", sim.now());
                    o.state = "freezing";
                    sim.lifecycle.wantSsh(o, false);
                    sim.after(sim.timing("freeze", Duration.ofSeconds(60)), () -> {
                        if (sim.lifecycle.current(o, gen)) {
                            o.state = "frozen";
                            sim.lifecycle.releaseCapacity(o);
                            o.bill(sim.now(), sim.settings.frozenBillingFraction);
                        }
                    });
                }
                json(ctx, 200, new TrooperJson.StatusChanged(true, "Server freeze initiated successfully", o.state));
            }
            default -> {
                if (!o.destroyed) {
                    sim.lifecycle.terminate(o);
                }
                json(
                        ctx,
                        200,
                        new TrooperJson.StatusChanged(true, "Server termination initiated successfully", o.state));
            }
        }
    }

    private void start(RoutingContext ctx, Order o, boolean migrationAllowed) {
        switch (o.state) {
            case "running", "starting", "restarting" -> {
                o.record("running", "Server started successfully", sim.now());
            }
            case "frozen" -> {
                if (sim.lifecycle.catalogHasRoom(o)) {
                    o.blib.capacity--;
                    o.holdsCapacity = true;
                    o.record("running", "Server started successfully", sim.now());
                    o.bill(sim.now(), 1.0);
                    sim.lifecycle.transitionToRunning(o, "starting", sim.timing("unfreeze", Duration.ofSeconds(120)));
                } else if (migrationAllowed) {
                    o.record("running", "Server migration started", sim.now());
                    o.bill(sim.now(), 1.0);
                    sim.lifecycle.transitionToRunning(o, "migrated", sim.timing("migration", Duration.ofSeconds(600)));
                } else {
                    sim.error(ctx, 400, sim.settings.errNoCapacity);
                    return;
                }
            }
            default -> {
                if (o.state.equals(sim.settings.statusInstalling) && o.statusUser.equals("running")) {
                    break;
                }
                o.record("running", "Server started successfully", sim.now());
                o.bill(sim.now(), 1.0);
                sim.lifecycle.transitionToRunning(o, "starting", sim.timing("start", Duration.ofSeconds(15)));
            }
        }
        json(ctx, 200, new TrooperJson.StatusChanged(true, "Server start initiated successfully", o.state));
    }
}
