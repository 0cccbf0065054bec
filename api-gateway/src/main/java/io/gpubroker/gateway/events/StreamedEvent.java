package io.gpubroker.gateway.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code data:} of one SSE event: the Kafka event as published (its {@code id} header as
 * {@code event_id}, the dedup key subscribers share, its {@code eventType}, topic, key and JSON payload).
 */
public record StreamedEvent(
        @JsonProperty("event_id") String eventId,
        @JsonProperty("type") String type,
        @JsonProperty("topic") String topic,
        @JsonProperty("key") String key,
        @JsonProperty("payload") JsonNode payload) {}
