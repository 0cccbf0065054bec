package io.gpubroker.gateway.consumer;

import io.gpubroker.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recently looked-up key rows, so a request does not cost a database round trip; entries live
 * {@code broker.auth.key-cache-ttl} (the longest a revoked key still works on another replica).
 * Unknown key ids are not cached, so garbage keys cannot fill memory.
 */
@ApplicationScoped
public class KeyCache {

    /** What authentication needs of a key row. */
    public record Entry(String consumerId, String keyHash, boolean revoked, long expiresAtNanos) {}

    private final long ttlNanos;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    public KeyCache(GatewayConfig.Auth config) {
        this.ttlNanos = config.keyCacheTtl().toNanos();
    }

    public Entry get(String keyId) {
        Entry e = entries.get(keyId);
        if (e != null && e.expiresAtNanos() - System.nanoTime() < 0) {
            entries.remove(keyId, e);
            return null;
        }
        return e;
    }

    public void put(String keyId, ApiKey k) {
        if (entries.size() > 100_000) {
            entries.clear();
        }
        entries.put(keyId, new Entry(k.consumerId, k.keyHash, k.revokedAt != null, System.nanoTime() + ttlNanos));
    }

    public void forget(String keyId) {
        entries.remove(keyId);
    }
}
