package io.gpubroker.kit.security;

import io.gpubroker.kit.rest.RequestIds;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Refuses (401, the JSON error shape) every REST call that does not carry the internal token.
 * A service behind the gateway opts in with a {@code @Provider @PreMatching} subclass; health and
 * metrics ({@code /q/*}) are Vert.x routes, not REST resources, so they stay open to probes.
 * Without a configured token nothing is accepted (the startup check refuses that in production).
 */
public abstract class InternalTokenFilter implements ContainerRequestFilter {
    private static final Logger LOG = Logger.getLogger(InternalTokenFilter.class);

    private final Optional<String> token = InternalToken.configured();

    @Override
    public void filter(ContainerRequestContext ctx) {
        String path = rawPath(ctx);
        if (path.startsWith("/q/")) {
            return;
        }
        if (token.isPresent() && InternalToken.matches(token.get(), ctx.getHeaderString(InternalToken.HEADER))) {
            return;
        }
        String requestId = RequestIds.sanitize(ctx.getHeaderString(RequestIds.HEADER));
        ctx.setProperty(RequestIds.PROPERTY, requestId);
        LOG.warnf(
                "refused %s %s: internal token missing or wrong",
                ctx.getMethod(), path.length() > 200 ? path.substring(0, 200) + "..." : path);
        ctx.abortWith(Response.status(401)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(RequestIds.HEADER, requestId)
                .entity(Map.of("error", "internal token missing or wrong", "request_id", requestId))
                .build());
    }

    /**
     * The path as sent. RESTEasy Reactive's decoded {@code getPath()} decodes a second time (a path
     * holding {@code %25} followed by a non-hex character then throws: a 500 before any check ran)
     * and {@code getPath(false)} is unsupported.
     */
    private static String rawPath(ContainerRequestContext ctx) {
        try {
            String raw = ctx.getUriInfo().getRequestUri().getRawPath();
            return raw == null ? "" : raw;
        } catch (RuntimeException e) {
            return "";
        }
    }
}
