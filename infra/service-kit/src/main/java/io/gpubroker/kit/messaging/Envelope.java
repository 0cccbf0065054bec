package io.gpubroker.kit.messaging;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;

/** A decoded Kafka message: event id and type from the outbox headers, the typed payload. */
public record Envelope(String eventId, String type, String key, BrokerEvent event) {

    /** Decodes {@code msg}; anything unusable is a {@link MalformedEventException}. */
    public static Envelope of(Message<String> msg) {
        @SuppressWarnings("unchecked")
        Optional<IncomingKafkaRecordMetadata<String, String>> meta = msg.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> (IncomingKafkaRecordMetadata<String, String>) m);
        Headers headers = meta.map(IncomingKafkaRecordMetadata::getHeaders).orElse(null);
        String id = header(headers, Topics.HEADER_EVENT_ID);
        String type = header(headers, Topics.HEADER_EVENT_TYPE);
        if (id == null || id.isBlank() || id.length() > 64) {
            throw new MalformedEventException("missing or invalid '" + Topics.HEADER_EVENT_ID + "' header");
        }
        if (type == null || type.isBlank()) {
            throw new MalformedEventException("missing '" + Topics.HEADER_EVENT_TYPE + "' header");
        }
        BrokerEvent event = EventCatalog.fromJson(type, msg.getPayload());
        String key = meta.map(IncomingKafkaRecordMetadata::getKey).orElse(null);
        if (key != null && !key.equals(event.aggregateId())) {
            throw new MalformedEventException("key " + key + " does not match aggregate id " + event.aggregateId());
        }
        return new Envelope(id, type, key, event);
    }

    private static String header(Headers headers, String name) {
        if (headers == null) {
            return null;
        }
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
