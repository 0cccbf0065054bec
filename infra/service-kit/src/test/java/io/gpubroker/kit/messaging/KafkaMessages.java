package io.gpubroker.kit.messaging;

import io.gpubroker.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/** A Kafka message as the connector hands it to a consumer (key, outbox headers), recording its ack or nack. */
final class KafkaMessages {
    final AtomicInteger acks = new AtomicInteger();
    final AtomicReference<Throwable> nack = new AtomicReference<>();

    /** {@code id} / {@code type} null leave that header out. */
    Message<String> message(String id, String type, String key, String payload) {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("session.events", 0, 0L, key, payload);
        if (id != null) {
            record.headers().add(Topics.HEADER_EVENT_ID, id.getBytes(StandardCharsets.UTF_8));
        }
        if (type != null) {
            record.headers().add(Topics.HEADER_EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
        }
        return Message.of(
                payload,
                Metadata.of(new IncomingKafkaRecordMetadata<>(record, "session-events-in")),
                () -> {
                    acks.incrementAndGet();
                    return CompletableFuture.completedFuture(null);
                },
                t -> {
                    nack.set(t);
                    return CompletableFuture.completedFuture(null);
                });
    }
}
