package io.gpubroker.kit.rest;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses, before any resource or authentication runs, path and query parameters with control
 * characters (a NUL would reach PostgreSQL as a 500), over-long values and broken percent-encoding:
 * a 400 naming the parameter, in every service.
 */
public class InputFilter {

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION - 100)
    public Response check(ContainerRequestContext ctx, UriInfo uri) {
        String problem;
        try {
            problem = problem(uri.getPathParameters(), "path parameter", 256);
            if (problem == null) {
                problem = problem(uri.getQueryParameters(), "query parameter", Ids.MAX_PARAM);
            }
        } catch (IllegalArgumentException e) {
            problem = "malformed percent-encoding in the request URI";
        }
        return problem == null ? null : ErrorMapper.body(400, problem, RequestIds.current(ctx), Map.of());
    }

    static String problem(MultivaluedMap<String, String> params, String kind, int max) {
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            for (String v : e.getValue().isEmpty() ? List.<String>of("") : e.getValue()) {
                String problem = problem(e.getKey(), v, kind, max);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    /** The same checks for routes served below JAX-RS (decoded name/value pairs, e.g. a Vert.x MultiMap). */
    public static String problem(Iterable<Map.Entry<String, String>> params, String kind, int max) {
        for (Map.Entry<String, String> e : params) {
            String problem = problem(e.getKey(), e.getValue(), kind, max);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** What is wrong with one parameter, or null. */
    public static String problem(String name, String value, String kind, int max) {
        if (Ids.hasControl(name) || name.length() > 128) {
            return "invalid " + kind + " name: control characters or longer than 128 characters";
        }
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            return "invalid '" + name + "': longer than " + max + " characters";
        }
        if (Ids.hasControl(value)) {
            return "invalid '" + name + "': control characters are not allowed";
        }
        return null;
    }
}
