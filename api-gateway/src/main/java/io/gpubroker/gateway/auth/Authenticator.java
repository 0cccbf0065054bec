package io.gpubroker.gateway.auth;

import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.gateway.consumer.ConsumerService;
import io.gpubroker.gateway.consumer.KeyCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Who is calling and whether they may: {@code Authorization: Bearer <key>} is the admin key or a
 * consumer key (its row from {@link KeyCache}, the database only on a miss), then {@link Access}
 * (403) and the per-key rate limit (429). Shared by the JAX-RS routes ({@link AuthFilter}) and the
 * streaming routes, so both refuse alike.
 */
@ApplicationScoped
public class Authenticator {
    private final GatewayConfig.Admin admin;
    private final GatewayConfig.Auth auth;
    private final GatewayConfig.RateLimit rateLimit;
    private final ConsumerService consumers;
    private final KeyCache cache;
    private final RateLimiter limiter;
    private final Counter authFailures;
    private final Counter rateLimited;

    public Authenticator(
            GatewayConfig.Admin admin,
            GatewayConfig.Auth auth,
            GatewayConfig.RateLimit rateLimit,
            ConsumerService consumers,
            KeyCache cache,
            RateLimiter limiter,
            MeterRegistry metrics) {
        this.admin = admin;
        this.auth = auth;
        this.rateLimit = rateLimit;
        this.consumers = consumers;
        this.cache = cache;
        this.limiter = limiter;
        this.authFailures = metrics.counter("gateway_auth_failures_total");
        this.rateLimited = metrics.counter("gateway_rate_limited_total");
    }

    /** Why a call is refused: the status, the error message and the headers that go with it. */
    public record Refusal(int status, String message, Map<String, String> headers) {}

    /** The caller for this header, or null (→ 401). */
    public Uni<Principal> principal(String header) {
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

    /**
     * Null when {@code p} may make a call needing {@code level} (null: any authenticated caller),
     * counting it against its rate limit; else the refusal.
     */
    public Refusal admit(Principal p, boolean sentKey, Access.Level level) {
        if (p == null) {
            authFailures.increment();
            return new Refusal(
                    401,
                    sentKey ? "invalid or revoked API key" : "missing API key: send Authorization: Bearer <key>",
                    Map.of("WWW-Authenticate", "Bearer realm=\"gpu-broker\""));
        }
        if (level == Access.Level.ADMIN && p instanceof Principal.Consumer) {
            return new Refusal(403, "this operation needs the admin key", Map.of());
        }
        if (!(p instanceof Principal.Admin && rateLimit.exemptAdmin())) {
            long wait = limiter.acquire(p.bucket());
            if (wait > 0) {
                rateLimited.increment();
                return new Refusal(
                        429,
                        "rate limit exceeded: at most " + rateLimit.requestsPerSecond() + " requests/s (burst "
                                + rateLimit.burst() + ") per API key",
                        Map.of("Retry-After", Long.toString(wait)));
            }
        }
        return null;
    }

    private static Principal check(boolean revoked, String hash, String consumerId, String key, String keyId) {
        return !revoked && ApiKeys.matches(key, hash) ? new Principal.Consumer(consumerId, keyId) : null;
    }
}
