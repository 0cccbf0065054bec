package io.gpubroker.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which events a stream passes: those of {@code consumerId} (null = every consumer's, the admin
 * key only) and, when given, of one session. Matched on the payload's {@code consumer_id} and
 * {@code session_id}, which every session, cost and budget event carries; an event without a
 * {@code consumer_id} (a provider's billing drift) reaches only an unfiltered admin stream.
 */
public record EventFilter(String consumerId, String sessionId) {

    public boolean matches(JsonNode payload) {
        if (consumerId != null && !consumerId.equals(text(payload, "consumer_id"))) {
            return false;
        }
        return sessionId == null || sessionId.equals(text(payload, "session_id"));
    }

    private static String text(JsonNode payload, String field) {
        JsonNode v = payload.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }
}
