package io.gpubroker.sim.vastai;

import static io.gpubroker.sim.core.ProviderSim.json;
import static io.gpubroker.sim.vastai.VastHttp.body;
import static io.gpubroker.sim.vastai.VastHttp.fail;
import static io.gpubroker.sim.vastai.VastHttp.jsonParam;
import static io.gpubroker.sim.vastai.VastHttp.ok;
import static io.gpubroker.sim.vastai.VastHttp.parseId;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Instance lifecycle routes: create from an ask, list (v0 and paged v1), get, manage (start, stop, label), destroy. */
final class VastInstanceRoutes {

    private static final int V1_MAX_PAGE = 25;

    private final VastAiSim sim;

    VastInstanceRoutes(VastAiSim sim) {
        this.sim = sim;
    }

    void create(RoutingContext ctx) {
        long askId = parseId(ctx.pathParam("id"));
        JsonObject body = body(ctx);
        String hash = body.getString("template_hash_id");
        Map<String, Object> template = hash == null ? null : sim.templates.byHash(hash);
        if (hash != null && template == null) {
            fail(ctx, 400, "invalid_args", "template_hash_id " + hash + " does not exist");
            return;
        }
        String image =
                body.getString("image", template == null ? null : template.get("image") + ":" + template.get("tag"));
        if (image == null || image.isBlank()) {
            fail(ctx, 400, "invalid_args", "image or template_hash_id is required");
            return;
        }
        String label = body.getString("label");
        if (label != null && label.length() > 1024) {
            fail(ctx, 400, "invalid_args", "label must be at most 1024 characters");
            return;
        }
        if (sim.credit().signum() <= 0) {
            fail(
                    ctx,
                    sim.config().getInt("vastai.insufficient-credit-status", 402),
                    "insufficient_credit",
                    "Your account does not have enough credit to rent this instance.");
            return;
        }
        VastOffers.Machine m = sim.offers.rentable(askId);
        if (m != null && sim.random().nextDouble() < sim.config().getDouble("vastai.stale-ask-probability", 0.0)) {
            sim.offers.takeByOthers(askId, true);
            m = null;
        }
        if (m == null) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("success", false);
            err.put("error", "invalid_args");
            err.put("msg", "error 404/3603: no_such_ask  Instance type by id " + askId + " is not available.");
            err.put("ask_id", askId);
            json(ctx, 400, err);
            return;
        }
        int disk = body.getValue("disk") instanceof Number n ? (int) Math.ceil(n.doubleValue()) : 8;
        if (disk <= 0 || disk > m.seed.diskGb()) {
            fail(ctx, 400, "invalid_args", "disk must be between 1 and " + m.seed.diskGb() + " GB on this machine");
            return;
        }
        Object bidPrice = body.getValue("price");
        boolean bid = bidPrice instanceof Number;
        double price = bid ? ((Number) bidPrice).doubleValue() + m.storagePerHour(disk) : m.dphTotal(disk);
        String runtype = body.getString("runtype", template == null ? "ssh" : (String) template.get("runtype"));
        Map<String, String> env = new LinkedHashMap<>();
        if (template != null) {
            env.putAll(VastDockerOptions.parse((String) template.get("env")));
        }
        Object reqEnv = body.getValue("env");
        if (reqEnv instanceof JsonObject o) {
            o.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
        } else if (reqEnv instanceof String s) {
            env.putAll(VastDockerOptions.parse(s));
        }
        String onstart = body.getString("onstart", template == null ? null : (String) template.get("onstart"));

        List<String> args = VastDockerOptions.args(body.getValue("args"));

        sim.offers.rent(m);
        VastInstance inst = new VastInstance(
                sim.instanceIds.next(),
                label,
                BigDecimal.valueOf(price).setScale(6, RoundingMode.HALF_UP),
                sim.now(),
                m,
                image,
                runtype,
                hash,
                disk,
                onstart,
                env,
                bid);
        inst.args = args;
        inst.holdsSlot = true;
        sim.lifecycle.publishPorts(inst);
        sim.takeInstanceFault(inst);
        for (Map<String, Object> k : sim.accountKeys) {
            sim.addKey(inst, (String) k.get("public_key"), true);
        }
        if (body.getString("ssh_key") != null && sim.config().getBool("vastai.honor-create-ssh-key", false)) {
            sim.addKey(inst, VastKeyRoutes.validKey(body.getString("ssh_key")), true);
        }
        sim.register(inst);
        inst.state = sim.initialStatus();
        inst.bill(sim.now(), inst.storageFraction());
        if ("stopped".equals(body.getString("target_state"))) {
            inst.intendedStatus = "stopped";
            inst.nextState = "stopped";
            inst.curState = "stopped";
            inst.state = "stopped";
            inst.holdsSlot = false;
            sim.offers.release(m);
        } else {
            sim.lifecycle.boot(inst);
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("new_contract", inst.numericId);
        json(ctx, 200, res);
    }

    void getOne(RoutingContext ctx) {
        VastInstance inst = sim.vast.get(parseId(ctx.pathParam("id")));
        Map<String, Object> res = new HashMap<>();
        res.put("instances", inst == null || inst.destroyed ? null : inst.view(sim.now()));
        json(ctx, 200, res);
    }

    void listV0(RoutingContext ctx) {
        if (sim.v0ListDeprecated) {
            fail(ctx, 410, "deprecated_endpoint", "/api/v0/instances/ is deprecated. Use /api/v1/instances/ instead.");
            return;
        }
        Instant now = sim.now();
        List<Map<String, Object>> out = new ArrayList<>();
        for (VastInstance i : sim.vast.values()) {
            if (!i.destroyed) {
                out.add(i.view(now));
            }
        }
        json(ctx, 200, Map.of("instances", out));
    }

    void listV1(RoutingContext ctx) {
        Instant now = sim.now();
        JsonObject filters = jsonParam(ctx, "select_filters", new JsonObject());
        VastQuery.validate(filters, Set.of());
        String orderParam = ctx.request().getParam("order_by");
        JsonArray orderBy = orderParam == null || orderParam.isBlank() ? new JsonArray() : new JsonArray(orderParam);
        String limitParam = ctx.request().getParam("limit");
        int limit = limitParam == null
                ? V1_MAX_PAGE
                : Math.max(1, Math.min(V1_MAX_PAGE, Integer.parseInt(limitParam.trim())));

        List<String[]> order = new ArrayList<>();
        for (Object o : orderBy) {
            JsonObject c = (JsonObject) o;
            order.add(new String[] {c.getString("col", "id"), c.getString("dir", "asc")});
        }
        order.add(new String[] {"id", "asc"});

        Map<String, Integer> labelCounts = new LinkedHashMap<>();
        List<Map<String, Object>> matched = new ArrayList<>();
        int total = 0;
        for (VastInstance i : sim.vast.values()) {
            if (i.destroyed) {
                continue;
            }
            total++;
            labelCounts.merge(i.tag == null ? "" : i.tag, 1, Integer::sum);
            Map<String, Object> v = i.view(now);
            if (VastQuery.matches(filters, Set.of(), f -> v.containsKey(f) ? v.get(f) : VastQuery.UNKNOWN)) {
                matched.add(v);
            }
        }
        Comparator<Map<String, Object>> cmp = VastQuery.order(order, v -> f -> v.get(f));
        matched.sort(cmp);

        int from = 0;
        String token = ctx.request().getParam("after_token");
        if (token != null && !token.isBlank()) {
            JsonObject values = new JsonObject(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8))
                    .getJsonObject("values");
            Map<String, Object> cursor = values.getMap();
            while (from < matched.size() && cmp.compare(matched.get(from), cursor) <= 0) {
                from++;
            }
        }
        List<Map<String, Object>> page = matched.subList(from, Math.min(matched.size(), from + limit));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("success", true);
        res.put("instances_found", page.size());
        res.put("total_instances", total);
        res.put("label_counts", labelCounts);
        if (from + limit < matched.size()) {
            Map<String, Object> last = page.get(page.size() - 1);
            Map<String, Object> values = new LinkedHashMap<>();
            for (String[] o : order) {
                values.put(o[0], last.get(o[0]));
            }
            res.put(
                    "next_token",
                    Base64.getEncoder()
                            .encodeToString(
                                    Json.encode(Map.of("values", values)).getBytes(StandardCharsets.UTF_8)));
        }
        res.put("instances", page);
        json(ctx, 200, res);
    }

    /** {@code PUT /instances/{id}/}: state and/or label; faults also apply per intent (start, stop, label). */
    void manage(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        JsonObject body = body(ctx);
        String state = body.getString("state");
        String op = "running".equals(state) ? "start" : "stopped".equals(state) ? "stop" : "label";
        sim.withFault(ctx, op, () -> {
            VastInstance inst = sim.vast.get(id);
            if (inst == null || inst.destroyed) {
                fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
                return;
            }
            if (state != null && !state.equals("running") && !state.equals("stopped")) {
                fail(ctx, 400, "invalid_args", "state must be running or stopped");
                return;
            }
            if (body.containsKey("label")) {
                String label = body.getString("label");
                if (label != null && label.length() > 1024) {
                    fail(ctx, 400, "invalid_args", "label must be at most 1024 characters");
                    return;
                }
                inst.tag = label;
            }
            if ("stopped".equals(state)) {
                sim.lifecycle.stop(inst);
            } else if ("running".equals(state)) {
                sim.lifecycle.start(inst);
            }
            json(ctx, 200, Map.of("success", true));
        });
    }

    void manageBulk(RoutingContext ctx) {
        JsonObject body = body(ctx);
        String state = body.getString("state");
        JsonArray ids = body.getJsonArray("ids", new JsonArray());
        if (!"running".equals(state) && !"stopped".equals(state)) {
            fail(ctx, 400, "invalid_args", "state must be running or stopped");
            return;
        }
        for (Object o : ids) {
            VastInstance inst = sim.vast.get(((Number) o).longValue());
            if (inst != null && !inst.destroyed) {
                if (state.equals("running")) {
                    sim.lifecycle.start(inst);
                } else {
                    sim.lifecycle.stop(inst);
                }
            }
        }
        json(ctx, 200, Map.of("success", true));
    }

    void destroy(RoutingContext ctx) {
        long id = parseId(ctx.pathParam("id"));
        VastInstance inst = sim.vast.get(id);
        if (inst == null || inst.destroyed) {
            switch (sim.config().get("vastai.destroy-twice", "404")) {
                case "success" -> json(ctx, 200, ok("Instance destroyed successfully"));
                case "failure" -> fail(ctx, 200, "no_such_instance", "Instance " + id + " not found.");
                default -> fail(ctx, 404, "no_such_instance", "Instance " + id + " not found.");
            }
            return;
        }
        sim.lifecycle.destroyNow(inst);
        json(ctx, 200, ok("Instance destroyed successfully"));
    }

    void destroyBulk(RoutingContext ctx) {
        JsonArray ids = body(ctx).getJsonArray("instance_ids", new JsonArray());
        for (Object o : ids) {
            VastInstance inst = sim.vast.get(((Number) o).longValue());
            if (inst != null && !inst.destroyed) {
                sim.lifecycle.destroyNow(inst);
            }
        }
        json(ctx, 200, ok("Instances destroyed successfully"));
    }
}
