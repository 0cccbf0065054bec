package io.gpubroker.sim.vastai;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.vastai.VastHttp.jsonParam;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Account routes: the current user with its credit, and invoices (one charge line per instance). */
final class VastAccountRoutes {

    private final VastAiSim sim;

    VastAccountRoutes(VastAiSim sim) {
        this.sim = sim;
    }

    void currentUser(RoutingContext ctx) {
        BigDecimal credit = sim.credit();
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("id", sim.userId());
        u.put("username", "sim-user");
        u.put("email", "sim-user@example.com");
        u.put("fullname", "Simulated User");
        u.put("credit", credit);
        u.put("balance", credit);
        u.put("balance_threshold", 0.0);
        u.put("balance_threshold_enabled", false);
        u.put("can_pay", credit.signum() > 0);
        u.put("has_billing", true);
        u.put("email_verified", true);
        u.put(
                "ssh_key",
                sim.accountKeys.isEmpty()
                        ? null
                        : sim.accountKeys.get(sim.accountKeys.size() - 1).get("public_key"));
        json(ctx, 200, u);
    }

    /** One charge line per instance (GUESSED shape), filterable with {@code select_filters}. */
    void invoices(RoutingContext ctx) {
        Instant now = sim.now();
        JsonObject filters = jsonParam(ctx, "select_filters", new JsonObject());
        List<Map<String, Object>> rows = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        for (VastInstance i : sim.vast.values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", i.numericId);
            r.put("type", "charge");
            r.put("source", "instance");
            r.put("instance_id", i.numericId);
            r.put("label", i.tag);
            r.put(
                    "description",
                    "Instance " + i.numericId + " (" + i.offeredGpu.count() + "x " + i.machine.gpuName
                            + "): GPU and storage");
            r.put("rate_per_hour", i.pricePerHour);
            r.put("amount", i.accrued(now));
            r.put("start", i.createdAt.toEpochMilli() / 1000.0);
            r.put("end", i.destroyedAt == null ? null : i.destroyedAt.toEpochMilli() / 1000.0);
            r.put("is_paid", false);
            if (VastQuery.matches(filters, Set.of(), f -> r.containsKey(f) ? r.get(f) : VastQuery.UNKNOWN)) {
                rows.add(r);
                total = total.add(i.accrued(now));
            }
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("invoices", rows);
        res.put("total", total);
        res.put("credit", sim.credit());
        json(ctx, 200, res);
    }
}
