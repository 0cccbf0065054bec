package io.gpubroker.sim.trooper;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.trooper.TrooperRequests.body;
import static io.gpubroker.sim.trooper.TrooperRequests.integer;
import static io.gpubroker.sim.trooper.TrooperRequests.queryInt;

import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.sim.core.SshHost;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Migration routes: options for an order, the cost of moving to another blib, and buying the move. */
final class TrooperMigrationRoutes {

    private final TrooperSim sim;

    TrooperMigrationRoutes(TrooperSim sim) {
        this.sim = sim;
    }

    void migrationOptions(RoutingContext ctx) {
        Order o = sim.byOrderId.get(queryInt(ctx, "order_id"));
        if (o == null || o.destroyed) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        int hours = TrooperSettings.hours(o.contractInterval);
        List<TrooperJson.MigrationBlib> options = new ArrayList<>();
        for (Blib b : sim.catalog.all()) {
            if (b != o.blib && b.capacity > 0 && options.size() < 50) {
                options.add(new TrooperJson.MigrationBlib(
                        b.id,
                        b.name,
                        b.gpuType(),
                        b.gpuNum(),
                        b.priceH,
                        true,
                        GpuCatalog.round((b.priceH - o.pricePerHour.doubleValue()) * hours, 2)));
            }
        }
        Instant now = sim.now();
        json(
                ctx,
                200,
                new TrooperJson.MigrationOptions(
                        true,
                        new TrooperJson.CurrentOrder(
                                o.orderId, o.tag, o.state, o.contractInterval, TrooperSim.iso(o.paidUntil(now))),
                        new TrooperJson.CurrentBlib(
                                o.blib.id,
                                o.blib.name,
                                o.blib.gpuType(),
                                o.blib.gpuNum(),
                                o.pricePerHour.doubleValue()),
                        options));
    }

    void migrationCost(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order o = b == null ? null : sim.byOrderId.get(integer(b, "order_id"));
        Integer target = b == null ? null : integer(b, "target_blib_id");
        Blib t = target == null ? null : sim.catalog.get(target);
        if (o == null || o.destroyed || t == null) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        json(ctx, 200, cost(o, t));
    }

    private TrooperJson.MigrationCost cost(Order o, Blib t) {
        Instant now = sim.now();
        int hours = TrooperSettings.hours(o.contractInterval);
        double upgrade = GpuCatalog.round(t.priceH * hours, 2);
        double remainingHours =
                Math.max(0, Duration.between(now, o.paidUntil(now)).toMillis() / 3_600_000.0);
        double remaining = GpuCatalog.round(o.pricePerHour.doubleValue() * remainingHours, 2);
        double current = o.pricePerHour.doubleValue();
        return new TrooperJson.MigrationCost(
                true,
                upgrade,
                remaining,
                GpuCatalog.round(Math.max(0, upgrade - remaining), 2),
                GpuCatalog.round((t.priceH - current) * hours, 2),
                TrooperSim.iso(o.paidUntil(now)),
                new TrooperJson.Rate(current, String.format("€%.2f/hour", current)),
                new TrooperJson.Rate(t.priceH, String.format("€%.2f/hour", t.priceH)));
    }

    void buyMigration(RoutingContext ctx) {
        JsonObject b = body(ctx);
        Order old = b == null ? null : sim.byOrderId.get(integer(b, "order_id"));
        Integer target = b == null ? null : integer(b, "target_blib_id");
        Blib t = target == null ? null : sim.catalog.get(target);
        if (old == null || old.destroyed || t == null) {
            sim.error(ctx, 403, TrooperSim.NOT_FOUND);
            return;
        }
        if (old.locked) {
            json(ctx, 403, new TrooperJson.Error(false, TrooperSim.LOCKED, null));
            return;
        }
        if (sim.budgetLeft().doubleValue() < cost(old, t).totalDue()) {
            sim.error(ctx, 400, "Insufficient budget for migration");
            return;
        }
        if (t.capacity <= 0) {
            sim.error(ctx, sim.settings.errNoCapacityStatus, sim.settings.errNoCapacity);
            return;
        }
        boolean keepData = Boolean.TRUE.equals(b.getValue("keep_data"));
        SshHost kept = keepData ? old.ssh : null;
        String password = old.password;
        sim.lifecycle.terminate(old);
        Order o = sim.newOrder(t, old.contractInterval, "migrated");
        o.tag = old.tag;
        if (kept != null) {
            kept.setGpu(t.gpuSpec());
            o.ssh = kept;
            o.password = password;
        }
        sim.lifecycle.transitionToRunning(o, "migrated", sim.timing("migration", Duration.ofSeconds(600)));
        json(ctx, 200, new TrooperJson.MigrationBought(true, "Migration initiated successfully", o.orderId));
    }
}
