package io.gpubroker.gateway.auth;

import io.gpubroker.kit.rest.ErrorMapper;
import io.gpubroker.kit.rest.RequestIds;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates the JAX-RS routes with {@link Authenticator} (401, then {@link Access} 403, then
 * the per-key rate limit 429 + Retry-After). Runs after routing, so an unknown path is a plain 404
 * whatever the key.
 */
public class AuthFilter {
    private final Authenticator authenticator;
    private final CallContext call;
    private final Map<Method, Access.Level> levels = new ConcurrentHashMap<>();

    public AuthFilter(Authenticator authenticator, CallContext call) {
        this.authenticator = authenticator;
        this.call = call;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext ctx, ResourceInfo info) {
        String rid = RequestIds.current(ctx);
        Access.Level level = levels.computeIfAbsent(info.getResourceMethod(), m -> {
            Access a = m.getAnnotation(Access.class);
            if (a == null) {
                a = m.getDeclaringClass().getAnnotation(Access.class);
            }
            return a == null ? null : a.value();
        });
        if (level == Access.Level.PUBLIC) {
            call.set(null, rid);
            return Uni.createFrom().nullItem();
        }
        String header = ctx.getHeaderString("Authorization");
        return authenticator.principal(header).map(p -> {
            Authenticator.Refusal no = authenticator.admit(p, header != null, level);
            if (no != null) {
                Response.ResponseBuilder r =
                        Response.fromResponse(ErrorMapper.body(no.status(), no.message(), rid, Map.of()));
                no.headers().forEach(r::header);
                return r.build();
            }
            call.set(p, rid);
            return null;
        });
    }
}
