package io.gpubroker.sim.barrack;

import static io.gpubroker.sim.barrack.BarrackRequests.intParam;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Reading Barrack request bodies and parameters; bad input becomes a {@link BadRequest}. */
final class BarrackRequests {

    private BarrackRequests() {}

    static JsonObject body(RoutingContext ctx) {
        try {
            JsonObject b = ctx.body().asJsonObject();
            if (b == null) {
                throw new BadRequest("Request body must be a JSON object");
            }
            return b;
        } catch (RuntimeException e) {
            if (e instanceof BadRequest br) {
                throw br;
            }
            throw new BadRequest("JSON parse error: request body must be a JSON object");
        }
    }

    static String string(JsonObject b, String field, boolean required) {
        Object v = b.getValue(field);
        if (v == null) {
            if (required) {
                throw new BadRequest(field + ": This field is required.");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw new BadRequest(field + ": Not a valid string.");
        }
        return s;
    }

    static Integer integer(JsonObject b, String field, boolean required) {
        Object v = b.getValue(field);
        if (v == null) {
            if (required) {
                throw new BadRequest(field + ": This field is required.");
            }
            return null;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        if (v instanceof String s) {
            return intParam(s, field);
        }
        throw new BadRequest(field + ": A valid integer is required.");
    }

    static boolean bool(JsonObject b, String field, boolean def) {
        Object v = b.getValue(field);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Boolean x)) {
            throw new BadRequest(field + ": Must be a valid boolean.");
        }
        return x;
    }

    static int intParam(String s, String field) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest(field + ": A valid integer is required.");
        }
    }

    static double round(double v, int places) {
        return BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP).doubleValue();
    }
}
