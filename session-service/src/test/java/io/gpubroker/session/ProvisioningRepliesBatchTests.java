package io.gpubroker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.InstanceStatus;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.Topics;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.messaging.ProvisioningRepliesConsumer;
import io.gpubroker.session.rest.CreateSessionRequest;
import io.gpubroker.session.service.SessionService;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

/** Provisioning replies consumed a poll at a time, on the real PostgreSQL, as the Kafka connector hands a batch over. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class ProvisioningRepliesBatchTests {

    @Inject
    SessionService sessions;

    @Inject
    ProvisioningRepliesConsumer consumer;

    static <T> T await(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work::get);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    final List<Message<String>> records = new ArrayList<>();
    final Map<String, Throwable> nacked = new ConcurrentHashMap<>();
    final AtomicInteger batchAcks = new AtomicInteger();

    void add(String key, String payload, String eventId, String type) {
        ConsumerRecord<String, String> r =
                new ConsumerRecord<>(Topics.PROVISIONING_REPLIES, 0, records.size(), key, payload);
        r.headers().add(Topics.HEADER_EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.HEADER_EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
        records.add(Message.of(
                payload,
                Metadata.of(new IncomingKafkaRecordMetadata<>(r, "provisioning-replies")),
                () -> CompletableFuture.completedFuture(null),
                t -> {
                    nacked.put(eventId, t);
                    return CompletableFuture.completedFuture(null);
                }));
    }

    void add(BrokerEvent e, String eventId) {
        add(e.aggregateId(), EventCatalog.toJson(e), eventId, e.getClass().getSimpleName());
    }

    void deliver() {
        Message<List<String>> batch =
                Message.of(records.stream().map(Message::getPayload).toList(), () -> {
                    batchAcks.incrementAndGet();
                    return CompletableFuture.completedFuture(null);
                });
        await(() -> consumer.consume(batch, records));
    }

    Session created() {
        Offer o = new Offer(
                "vastai-" + UUID.randomUUID(),
                "vastai",
                "1",
                "RTX 4090",
                1,
                24,
                new BigDecimal("0.45"),
                "US-West",
                true,
                false,
                Instant.now(),
                new BigDecimal("12.4"),
                "m-1",
                Map.of("ask_id", "1"),
                false);
        return await(() -> sessions.create(
                        new CreateSessionRequest(
                                        "team-batch-replies",
                                        o.id(),
                                        null,
                                        "batch",
                                        1,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null)
                                .toNewSession(),
                        o,
                        null))
                .session();
    }

    @Test
    void repliesOfOneSessionInOneBatchApplyInOffsetOrderOnceEachAndAPoisonReplyIsDeadLetteredAlone() {
        Session s = created();
        String instance = "i-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        InstanceProvisioned provisioned = new InstanceProvisioned(
                s.saga.provisionCommandId,
                s.id,
                "vastai",
                s.offer.offerId,
                instance,
                "gpub-local-" + s.id,
                "127.0.0.1",
                2222,
                "root",
                "loading",
                now);
        // only meaningful after the provisioned reply: the status of an instance the session does not hold yet is
        // ignored
        InstanceStatus running = new InstanceStatus(
                UUID.randomUUID().toString(),
                s.id,
                "vastai",
                instance,
                "running",
                "running",
                "127.0.0.1",
                2222,
                "root",
                null,
                null,
                null,
                now);
        String provisionedId = UUID.randomUUID().toString();
        String poisonId = UUID.randomUUID().toString();
        add(provisioned, provisionedId);
        add(s.id, "{\"session_id\":\"" + s.id + "\"}", poisonId, "InstanceStatus");
        add(running, UUID.randomUUID().toString());
        add(provisioned, provisionedId);

        deliver();

        Session after = await(() -> sessions.find(s.id));
        assertThat(after.status).isEqualTo(SessionStatus.provisioning);
        assertThat(after.host.instanceId).isEqualTo(instance);
        assertThat(after.host.instanceReady)
                .as("the status reply came after the provisioned one")
                .isTrue();
        assertThat(nacked).containsOnlyKeys(poisonId);
        assertThat(nacked.get(poisonId)).isInstanceOf(MalformedEventException.class);
        assertThat(batchAcks).hasValue(1);
    }
}
