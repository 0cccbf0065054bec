package io.gpubroker.sim.vastai;

import static io.gpubroker.sim.core.ProviderSim.json;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading Vast requests and writing Vast's {@code {"success", "error", "msg"}} replies. */
final class VastHttp {

    private VastHttp() {}

    static void fail(RoutingContext ctx, int status, String error, String msg) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", error);
        body.put("msg", msg);
        json(ctx, status, body);
    }

    static Map<String, Object> ok(String msg) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("msg", msg);
        return body;
    }

    static JsonObject body(RoutingContext ctx) {
        if (!ctx.body().available() || ctx.body().length() == 0) {
            return new JsonObject();
        }
        JsonObject o = ctx.body().asJsonObject();
        return o == null ? new JsonObject() : o;
    }

    static JsonObject jsonParam(RoutingContext ctx, String name, JsonObject def) {
        String v = ctx.request().getParam(name);
        return v == null || v.isBlank() ? def : new JsonObject(v);
    }

    static long parseId(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("id must be an integer: " + s);
        }
    }
}
