package io.gpubroker.sim.rackrr;

import io.gpubroker.sim.rackrr.RackrrSim.ApiError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** Reading Rackrr requests: required fields, ranges and OpenSSH keys; bad input becomes an {@link ApiError}. */
final class RackrrRequests {

    private static final Pattern KEY =
            Pattern.compile("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) [A-Za-z0-9+/=]+( .*)?$");

    private RackrrRequests() {}

    static boolean isOpenSshKey(String line) {
        if (!KEY.matcher(line.trim()).matches()) {
            return false;
        }
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.trim())
                            .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING)
                    != null;
        } catch (Exception e) {
            return false;
        }
    }

    static void checkRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ApiError(400, field + " must be between " + min + " and " + max + " for this VM");
        }
    }

    static JsonObject body(RoutingContext ctx) {
        JsonObject b;
        try {
            b = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            throw new ApiError(400, "Invalid JSON in request body");
        }
        if (b == null) {
            throw new ApiError(400, "Request body is required");
        }
        return b;
    }

    static String str(JsonObject b, String field) {
        Object v = b.getValue(field);
        if (v == null || v instanceof String s && s.isBlank()) {
            throw new ApiError(400, field + " is required");
        }
        if (!(v instanceof String s)) {
            throw new ApiError(400, field + " must be a string");
        }
        return s;
    }

    static int integer(JsonObject b, String field) {
        Object v = b.getValue(field);
        if (v == null) {
            throw new ApiError(400, field + " is required");
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new ApiError(400, field + " must be an integer");
        }
        return n.intValue();
    }
}
