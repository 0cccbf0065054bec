package io.gpubroker.provider.offers;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.Topics;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Emits high-volume stateless facts straight to Kafka (no outbox): offer snapshot pages and instance
 * listings. Same envelope as the outbox router produces: key = aggregate id, headers {@code id}
 * (a fresh UUID per message) and {@code eventType}. Blocks until Kafka acknowledged (worker threads).
 */
@ApplicationScoped
public class DirectPublisher {

    @Inject
    @Channel("provider-offers")
    MutinyEmitter<String> offers;

    @Inject
    @Channel("instance-inventory")
    MutinyEmitter<String> inventory;

    /** Publishes {@code event} on its topic and waits for the broker's ack. */
    public void publish(BrokerEvent event) {
        String topic = EventCatalog.entryOf(event).topic();
        MutinyEmitter<String> emitter = switch (topic) {
            case Topics.PROVIDER_OFFERS -> offers;
            case Topics.INSTANCE_INVENTORY -> inventory;
            default -> throw new IllegalArgumentException(topic + " is published through the outbox");
        };
        publishJson(emitter, event.aggregateId(), event.getClass().getSimpleName(), EventCatalog.toJson(event));
    }

    void publishJson(MutinyEmitter<String> emitter, String key, String type, String json) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_EVENT_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.HEADER_EVENT_VERSION, "1".getBytes(StandardCharsets.UTF_8));
        Message<String> msg = Message.of(json)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .withHeaders(headers)
                        .build());
        emitter.sendMessage(msg).await().atMost(Duration.ofSeconds(60));
    }
}
