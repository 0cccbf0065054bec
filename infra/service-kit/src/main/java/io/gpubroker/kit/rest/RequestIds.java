package io.gpubroker.kit.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Request ids: a sane {@code X-Request-ID} is kept, anything else replaced by a UUID; the id is
 * echoed on the response, put in the log context and carried into error bodies.
 */
public class RequestIds {
    public static final String HEADER = "X-Request-ID";
    public static final String PROPERTY = "broker.request-id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    public static String sanitize(String candidate) {
        return candidate != null && SANE.matcher(candidate).matches()
                ? candidate
                : UUID.randomUUID().toString();
    }

    @ServerRequestFilter(preMatching = true)
    public void assign(ContainerRequestContext ctx) {
        String id = sanitize(ctx.getHeaderString(HEADER));
        ctx.setProperty(PROPERTY, id);
        MDC.put("request_id", id);
    }

    @ServerResponseFilter
    public void echo(ContainerRequestContext req, ContainerResponseContext res) {
        Object id = req.getProperty(PROPERTY);
        if (id != null) {
            res.getHeaders().putSingle(HEADER, id.toString());
        }
    }

    public static String current(ContainerRequestContext ctx) {
        Object id = ctx == null ? null : ctx.getProperty(PROPERTY);
        return id == null ? UUID.randomUUID().toString() : id.toString();
    }
}
