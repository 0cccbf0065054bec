package io.gpubroker.gateway.consumer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** The JSON shapes of consumers and keys (a key's secret appears only in {@link CreatedKey}). */
public final class ConsumerViews {
    private ConsumerViews() {}

    /** {@code POST /api/v1/consumers} body: an id, a name, or both. */
    public record CreateConsumer(
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("name") String name) {}

    /** One key without its secret. */
    public record KeyView(
            @JsonProperty("key_id") String keyId,
            @JsonProperty("created_at") Instant createdAt,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("revoked_at")
            Instant revokedAt,

            @JsonProperty("active") boolean active) {
        static KeyView of(ApiKey k) {
            return new KeyView(k.keyId, k.createdAt, k.revokedAt, k.revokedAt == null);
        }
    }

    /** A consumer and its keys. */
    public record ConsumerView(
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("name") String name,
            @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("keys") List<KeyView> keys) {
        static ConsumerView of(Consumer c, List<ApiKey> keys) {
            return new ConsumerView(
                    c.id,
                    c.name,
                    c.createdAt,
                    keys.stream()
                            .filter(k -> k.consumerId.equals(c.id))
                            .map(KeyView::of)
                            .toList());
        }
    }

    /** A new key, returned exactly once: the broker keeps only its hash. */
    public record CreatedKey(
            @JsonProperty("consumer_id") String consumerId,
            @JsonProperty("key_id") String keyId,
            @JsonProperty("api_key") String apiKey,
            @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("note") String note) {}

    /** {@code GET /api/v1/consumers}. */
    public record ConsumerList(
            @JsonProperty("consumers") List<ConsumerView> consumers,
            @JsonProperty("count") int count) {}
}
