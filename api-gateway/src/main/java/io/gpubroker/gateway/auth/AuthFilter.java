package io.gpubroker.gateway.auth;

import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.gateway.consumer.ConsumerService;
import io.gpubroker.gateway.consumer.KeyCache;
import io.gpubroker.kit.rest.ErrorMapper;
import io.gpubroker.kit.rest.RequestIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>} (admin key or a consumer key; 401 otherwise),
 * enforces {@link Access} (403), then the per-key rate limit (429 + Retry-After). Runs after
 * routing, so an unknown path is a plain 404 whatever the key.
 */
public class AuthFilter {
    private final GatewayConfig.Admin admin;
    private final GatewayConfig.Auth auth;
    private final GatewayConfig.RateLimit rateLimit;
    private final ConsumerService consumers;
    private final KeyCache cache;
    private final RateLimiter limiter;
    private final CallContext call;
    private final MeterRegistry metrics;
    private final Map<Method, Access.Level> levels = new ConcurrentHashMap<>();

    public AuthFilter(
            GatewayConfig.Admin admin,
            GatewayConfig.Auth auth,
            GatewayConfig.RateLimit rateLimit,
            ConsumerService consumers,
            KeyCache cache,
            RateLimiter limiter,
            CallContext call,
            MeterRegistry metrics) {
        this.admin = admin;
        this.auth = auth;
        this.rateLimit = rateLimit;
        this.consumers = consumers;
        this.cache = cache;
        this.limiter = limiter;
        this.call = call;
        this.metrics = metrics;
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
        return principal(ctx.getHeaderString("Authorization")).map(p -> {
            if (p == null) {
                metrics.counter("gateway_auth_failures_total").increment();
                boolean missing = ctx.getHeaderString("Authorization") == null;
                Response r = ErrorMapper.body(
                        401,
                        missing ? "missing API key: send Authorization: Bearer <key>" : "invalid or revoked API key",
                        rid,
                        Map.of());
                return Response.fromResponse(r)
                        .header("WWW-Authenticate", "Bearer realm=\"gpu-broker\"")
                        .build();
            }
            if (level == Access.Level.ADMIN && p instanceof Principal.Consumer) {
                return ErrorMapper.body(403, "this operation needs the admin key", rid, Map.of());
            }
            if (!(p instanceof Principal.Admin && rateLimit.exemptAdmin())) {
                long wait = limiter.acquire(p.bucket());
                if (wait > 0) {
                    metrics.counter("gateway_rate_limited_total").increment();
                    Response r = ErrorMapper.body(
                            429,
                            "rate limit exceeded: at most " + rateLimit.requestsPerSecond() + " requests/s (burst "
                                    + rateLimit.burst() + ") per API key",
                            rid,
                            Map.of());
                    return Response.fromResponse(r)
                            .header("Retry-After", Long.toString(wait))
                            .build();
                }
            }
            call.set(p, rid);
            return null;
        });
    }

    /** The caller for this header, or null (→ 401). */
    private Uni<Principal> principal(String header) {
        if (header == null) {
            return Uni.createFrom().item(auth.anonymous() ? new Principal.Anonymous() : null);
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().nullItem();
        }
        String key = header.substring(7).trim();
        if (admin.key().map(adminKey -> ApiKeys.same(adminKey, key)).orElse(false)) {
            return Uni.createFrom().item(new Principal.Admin());
        }
        String keyId = ApiKeys.keyIdOf(key);
        if (keyId == null) {
            return Uni.createFrom().nullItem();
        }
        KeyCache.Entry cached = cache.get(keyId);
        if (cached != null) {
            return Uni.createFrom().item(check(cached.revoked(), cached.keyHash(), cached.consumerId(), key, keyId));
        }
        return consumers.key(keyId).map(k -> {
            if (k == null) {
                return null;
            }
            cache.put(keyId, k);
            return check(k.revokedAt != null, k.keyHash, k.consumerId, key, keyId);
        });
    }

    private static Principal check(boolean revoked, String hash, String consumerId, String key, String keyId) {
        return !revoked && ApiKeys.matches(key, hash) ? new Principal.Consumer(consumerId, keyId) : null;
    }
}
