package io.gpubroker.sim.barrack;

import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Billing routes: one VM's billing segments and the account's credit balance. */
final class BarrackBillingRoutes {

    private final BarrackSim sim;

    BarrackBillingRoutes(BarrackSim sim) {
        this.sim = sim;
    }

    void instanceBilling(RoutingContext ctx) {
        BarrackInstance inst = sim.vms.get(ctx.pathParam("id"));
        if (inst == null) {
            throw new BadRequest(404, "not_found", "Instance " + ctx.pathParam("id") + " not found");
        }
        Instant now = sim.now();
        List<BarrackApi.BillingRecord> records = new ArrayList<>();
        long ms = 0;
        for (BarrackInstance.Segment s : inst.segments) {
            Instant end = s.end != null ? s.end : now;
            ms += Math.max(0, Duration.between(s.start, end).toMillis());
            records.add(new BarrackApi.BillingRecord(
                    s.status,
                    s.hourlyRate.doubleValue(),
                    s.start.toString(),
                    s.end == null ? null : s.end.toString(),
                    s.cost(now).doubleValue()));
        }
        sim.ok(
                ctx,
                200,
                "Instance billing retrieved successfully",
                new BarrackApi.InstanceBilling(
                        inst.id,
                        inst.vmName,
                        inst.state,
                        "USD",
                        inst.pricePerHour.doubleValue(),
                        inst.accrued(now).doubleValue(),
                        (ms + 59_999) / 60_000,
                        records),
                null,
                null);
    }

    void balance(RoutingContext ctx) {
        sim.ok(
                ctx,
                200,
                "Credit balance retrieved successfully",
                new BarrackApi.Balance(sim.balanceNow(), "USD"),
                null,
                null);
    }
}
