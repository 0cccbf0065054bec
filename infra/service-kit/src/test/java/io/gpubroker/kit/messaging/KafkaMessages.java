package io.gpubroker.kit.messaging;

import io.gpubroker.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/** A Kafka message as the connector hands it to a consumer (key, outbox headers), recording its ack or nack. */
final class KafkaMessages {
    final AtomicInteger acks = new AtomicInteger();
    final AtomicReference<Throwable> nack = new AtomicReference<>();
    final List<String> nackedKeys = new CopyOnWriteArrayList<>();
    final AtomicInteger batchAcks = new AtomicInteger();

    /** {@code id} / {@code type} null leave that header out. */
    Message<String> message(String id, String type, String key, String payload) {
        return message(id, type, key, payload, 0L);
    }

    /** A record at {@code offset}; its nack is remembered per key in {@link #nackedKeys}. */
    Message<String> message(String id, String type, String key, String payload, long offset) {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("session.events", 0, offset, key, payload);
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
                    nackedKeys.add(key);
                    return CompletableFuture.completedFuture(null);
                });
    }

    /** A batch message over {@code records} whose ack counts in {@link #batchAcks}. */
    Message<List<String>> batch(List<Message<String>> records) {
        return Message.of(records.stream().map(Message::getPayload).toList(), () -> {
            batchAcks.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        });
    }
}
