package io.gpubroker.gateway.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code data:} of the first SSE event ({@code event: ready}): the stream is positioned and
 * live; its id is that position, so a client that reconnects before any event misses nothing.
 * {@code truncated} = the resume position was older than Kafka's retention (events were lost).
 */
public record StreamOpened(
        @JsonProperty("consumer_id") String consumerId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("resumed") boolean resumed,
        @JsonProperty("truncated") boolean truncated) {}
