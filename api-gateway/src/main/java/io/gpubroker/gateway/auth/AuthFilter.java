package io.gpubroker.gateway.auth;

import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.kit.messaging.LogContext;
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
    private final GatewayConfig.Metrics metrics;
    private final Map<Method, Access.Level> levels = new ConcurrentHashMap<>();

    public AuthFilter(Authenticator authenticator, CallContext call, GatewayConfig.Metrics metrics) {
        this.authenticator = authenticator;
        this.call = call;
        this.metrics = metrics;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext ctx, ResourceInfo info) {
        String rid = RequestIds.current(ctx);
        Access.Level declared = levels.computeIfAbsent(info.getResourceMethod(), m -> {
            Access a = m.getAnnotation(Access.class);
            if (a == null) {
                a = m.getDeclaringClass().getAnnotation(Access.class);
            }
            return a == null ? null : a.value();
        });
        if (declared == Access.Level.METRICS && metrics.access() == GatewayConfig.MetricsAccess.OFF) {
            return Uni.createFrom().item(ErrorMapper.body(404, "metrics are not served here", rid, Map.of()));
        }
        Access.Level level = declared != Access.Level.METRICS
                ? declared
                : metrics.access() == GatewayConfig.MetricsAccess.ADMIN ? Access.Level.ADMIN : Access.Level.PUBLIC;
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
            LogContext.put("consumer_id", p instanceof Principal.Consumer c ? c.consumerId() : null);
            return null;
        });
    }
}
