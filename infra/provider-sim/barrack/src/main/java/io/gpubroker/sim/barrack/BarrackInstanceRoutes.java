package io.gpubroker.sim.barrack;

import static io.gpubroker.sim.barrack.BarrackRequests.intParam;

import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Instance routes: list, get, stop, start, reboot, hibernate, restore, toggle public IP and delete. */
final class BarrackInstanceRoutes {

    private final BarrackSim sim;

    BarrackInstanceRoutes(BarrackSim sim) {
        this.sim = sim;
    }

    private BarrackInstance live(RoutingContext ctx) {
        BarrackInstance inst = sim.vms.get(ctx.pathParam("id"));
        if (inst == null || inst.gone) {
            throw new BadRequest(404, "not_found", "Instance " + ctx.pathParam("id") + " not found");
        }
        return inst;
    }

    private static void requireState(BarrackInstance inst, String action, String... allowed) {
        if (!List.of(allowed).contains(inst.state)) {
            throw new BadRequest("Cannot " + action + " instance " + inst.id + " in status " + inst.state
                    + " (allowed: " + String.join(", ", allowed) + ")");
        }
    }

    private void changed(RoutingContext ctx, BarrackInstance inst, String message) {
        sim.ok(ctx, 200, message, new BarrackApi.StatusChange(inst.id, inst.state), null, null);
    }

    void stop(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "stop", "ACTIVE");
        sim.lifecycle.interrupt(inst, "STOPPING");
        sim.lifecycle.later(inst, sim.timing("stop", Duration.ofSeconds(5)), () -> {
            inst.state = "SHUTOFF";
            inst.charge(sim.now(), sim.config().getDouble("barrack.shutoff-billing-fraction", 1.0));
        });
        changed(ctx, inst, "Instance stop initiated");
    }

    void start(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "start", "SHUTOFF");
        sim.lifecycle.interrupt(inst, "STARTING");
        sim.lifecycle.later(inst, sim.timing("start", Duration.ofSeconds(10)), () -> sim.lifecycle.becomeActive(inst));
        changed(ctx, inst, "Instance start initiated");
    }

    void reboot(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "reboot", "ACTIVE", "SHUTOFF", "UNKNOWN", "ERROR");
        sim.lifecycle.interrupt(inst, "REBOOTING");
        sim.lifecycle.later(inst, sim.timing("reboot", Duration.ofSeconds(10)), () -> sim.lifecycle.becomeActive(inst));
        changed(ctx, inst, "Instance reboot initiated");
    }

    void hibernate(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "hibernate", "ACTIVE", "SHUTOFF");
        sim.lifecycle.interrupt(inst, "HIBERNATING");
        sim.lifecycle.later(inst, sim.timing("hibernate", Duration.ofSeconds(10)), () -> {
            inst.state = "HIBERNATED";
            sim.lifecycle.releaseCapacity(inst);
            double rate = sim.config().getDouble("barrack.hibernated-hourly-rate", 0.01);
            inst.charge(sim.now(), rate / inst.pricePerHour.doubleValue());
        });
        changed(ctx, inst, "Instance hibernation initiated");
    }

    void restore(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        requireState(inst, "restore", "HIBERNATED");
        if (!sim.catalog.take(inst.stockKey())) {
            throw new BadRequest(
                    sim.config().getInt("barrack.no-capacity-status", 503),
                    "insufficient_capacity",
                    "No GPU availability to restore " + inst.gpuCount + "x " + inst.model.name() + " in region "
                            + inst.region.name());
        }
        inst.holdsCapacity = true;
        sim.lifecycle.interrupt(inst, "RESTORING");
        sim.lifecycle.later(
                inst, sim.timing("restore", Duration.ofSeconds(20)), () -> sim.lifecycle.becomeActive(inst));
        changed(ctx, inst, "Instance restore initiated");
    }

    void togglePublicIp(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        inst.publicIp = !inst.publicIp;
        if (!inst.publicIp) {
            inst.ipAddress = null;
            inst.ipStatus = "detached";
        } else if ("ACTIVE".equals(inst.state)) {
            sim.lifecycle.attachIp(inst, sim.timing("ip-attach", Duration.ofSeconds(5)));
        } else {
            inst.ipStatus = "pending";
        }
        sim.ok(ctx, 200, "Public IP " + (inst.publicIp ? "enabled" : "disabled"), BarrackViews.view(inst), null, null);
    }

    void delete(RoutingContext ctx) {
        BarrackInstance inst = live(ctx);
        if (!"DELETING".equals(inst.state)) {
            sim.lifecycle.interrupt(inst, "DELETING");
            sim.markDestroyed(inst);
            inst.closeSegment(sim.now());
            sim.lifecycle.later(inst, sim.timing("delete", Duration.ofSeconds(5)), () -> {
                inst.state = "DELETED";
                inst.gone = true;
                sim.lifecycle.releaseCapacity(inst);
            });
        }
        changed(ctx, inst, "Instance deletion initiated");
    }

    void list(RoutingContext ctx) {
        int page = ctx.queryParams().get("page") == null
                ? 1
                : intParam(ctx.queryParams().get("page"), "page");
        int size = ctx.queryParams().get("page_size") == null
                ? sim.config().getInt("barrack.list-page-size", 50)
                : intParam(ctx.queryParams().get("page_size"), "page_size");
        if (page < 1 || size < 1 || size > 500) {
            throw new BadRequest("page must be >= 1 and page_size within 1..500");
        }
        List<BarrackInstance> visible =
                sim.vms.values().stream().filter(v -> !v.gone).toList();
        int from = Math.min(visible.size(), (page - 1) * size);
        int to = Math.min(visible.size(), from + size);
        List<BarrackApi.Instance> items =
                visible.subList(from, to).stream().map(BarrackViews::view).toList();
        sim.ok(
                ctx,
                200,
                "Instances retrieved successfully",
                Map.of("instances", items),
                new BarrackApi.Pagination(page, size, visible.size(), Math.max(1, (visible.size() + size - 1) / size)),
                null);
    }

    void get(RoutingContext ctx) {
        sim.ok(ctx, 200, "Instance details retrieved successfully", BarrackViews.view(live(ctx)), null, null);
    }
}
