package io.gpubroker.sim.trooper;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.trooper.TrooperRequests.body;
import static io.gpubroker.sim.trooper.TrooperRequests.integer;
import static io.gpubroker.sim.trooper.TrooperRequests.number;

import io.gpubroker.sim.core.GpuCatalog;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Ordering: {@code /api/order} (price echo, terms, contract interval, budget, capacity) and the order list. */
final class TrooperOrderRoutes {

    private final TrooperSim sim;

    TrooperOrderRoutes(TrooperSim sim) {
        this.sim = sim;
    }

    void order(RoutingContext ctx) {
        JsonObject b = body(ctx);
        if (b == null) {
            sim.error(ctx, 400, "Invalid JSON body");
            return;
        }
        Integer blibId = integer(b, "blib_id");
        Blib blib = blibId == null ? null : sim.catalog.get(blibId);
        if (blib == null) {
            sim.error(ctx, 400, sim.settings.errUnknownBlib);
            return;
        }
        if (!Boolean.TRUE.equals(b.getValue("terms_accepted"))) {
            sim.error(ctx, 400, "You must accept the terms and conditions.");
            return;
        }
        String interval = b.getValue("contract_interval") instanceof String s ? s : null;
        if (interval == null || !sim.settings.contractIntervals.contains(interval)) {
            sim.error(ctx, 400, "Invalid or missing contract interval.");
            return;
        }
        Double price = number(b, "price_h");
        if (price == null || Math.abs(price - blib.priceH) > 0.0001) {
            sim.error(ctx, 400, sim.settings.errPriceChanged);
            return;
        }
        double expectedTotal = GpuCatalog.round(blib.priceH * TrooperSettings.hours(interval), 2);
        Double total = number(b, "total_price");
        if (total == null || sim.settings.validateTotalPrice && Math.abs(total - expectedTotal) > 0.011) {
            sim.error(ctx, 400, sim.settings.errTotalPrice);
            return;
        }
        if (sim.budgetLeft().doubleValue() < expectedTotal) {
            sim.error(ctx, 400, sim.settings.errInsufficientBudget);
            return;
        }
        if (blib.capacity <= 0) {
            sim.error(ctx, sim.settings.errNoCapacityStatus, sim.settings.errNoCapacity);
            return;
        }
        Order o = sim.newOrder(blib, interval, sim.settings.statusInstalling);
        sim.takeInstanceFault(o);
        if (b.getValue("templates") instanceof io.vertx.core.json.JsonArray templates) {
            for (Object t : templates) {
                Integer tid = t instanceof JsonObject jo ? integer(jo, "id") : null;
                TrooperTemplateRoutes.TEMPLATES.stream()
                        .filter(x -> tid != null && x.id() == tid)
                        .findFirst()
                        .ifPresent(x -> sim.templateRoutes.install(o, x, Map.of()));
            }
        }
        int gen = ++o.generation;
        sim.after(sim.timing("boot", Duration.ofSeconds(90)), () -> sim.lifecycle.toRunning(o, gen));
        json(ctx, 200, new TrooperJson.OrderCreated(true, o.orderId));
    }

    void orders(RoutingContext ctx) {
        Instant now = sim.now();
        List<TrooperJson.OrderView> out = new ArrayList<>();
        for (Order o : sim.byServerId.values()) {
            if (!o.destroyed || sim.settings.terminatedListed) {
                out.add(o.view(sim.settings.ip, now));
            }
        }
        json(ctx, 200, out);
    }
}
