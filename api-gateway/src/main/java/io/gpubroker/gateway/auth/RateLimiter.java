package io.gpubroker.gateway.auth;

import io.gpubroker.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key ({@code broker.rate-limit.requests-per-second} refill,
 * {@code broker.rate-limit.burst} capacity), in memory: with N gateway replicas a key gets up to
 * N times the rate, which is the accepted trade for not calling a shared store on every request.
 */
@ApplicationScoped
public class RateLimiter {

    private final double rate;
    private final int burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(GatewayConfig.RateLimit config) {
        this.rate = config.requestsPerSecond();
        this.burst = Math.max(1, config.burst());
    }

    /** 0 when the request may pass, else the whole seconds to wait (the Retry-After value). */
    public long acquire(String bucket) {
        return buckets.computeIfAbsent(bucket, b -> new Bucket(burst, System.nanoTime()))
                .take(rate, burst);
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(double rate, int burst) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }
    }
}
