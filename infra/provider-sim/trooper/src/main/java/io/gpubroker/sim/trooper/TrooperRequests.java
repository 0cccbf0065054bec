package io.gpubroker.sim.trooper;

import static io.gpubroker.sim.trooper.TrooperRequests.parseInt;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Reading Trooper request bodies and parameters: absent or unreadable values come back as null. */
final class TrooperRequests {

    private TrooperRequests() {}

    /** The JSON body, an empty object when there is none, or null when it is not a JSON object. */
    static JsonObject body(RoutingContext ctx) {
        try {
            if (!ctx.body().available() || ctx.body().length() == 0) {
                return new JsonObject();
            }
            return ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Integer integer(JsonObject b, String key) {
        Object v = b == null ? null : b.getValue(key);
        if (v instanceof Number n) {
            return n.intValue();
        }
        return v instanceof String s ? parseInt(s) : null;
    }

    static Double number(JsonObject b, String key) {
        Object v = b.getValue(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return v instanceof String s ? Double.parseDouble(s.trim()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Integer queryInt(RoutingContext ctx, String name) {
        return parseInt(ctx.request().getParam(name));
    }

    static Integer parseInt(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
