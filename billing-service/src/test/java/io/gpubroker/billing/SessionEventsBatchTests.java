package io.gpubroker.billing;

import static io.gpubroker.billing.SessionEvents.ended;
import static io.gpubroker.billing.SessionEvents.ledgerTotal;
import static io.gpubroker.billing.SessionEvents.sql;
import static io.gpubroker.billing.SessionEvents.started;
import static io.gpubroker.billing.SessionEvents.stopped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.billing.messaging.SessionEventsConsumer;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

/**
 * Billing's batch consumption on the real PostgreSQL (a batch handed to the consumer as the Kafka
 * connector hands it) and on the real Kafka (a burst produced at once).
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SessionEventsBatchTests {

    @Inject
    SessionEventsConsumer consumer;

    /** Records of one batch as the connector delivers them, remembering which were nacked and whether the batch was acked. */
    static final class Batch {
        final List<Message<String>> records = new ArrayList<>();
        final Map<String, Throwable> nacked = new ConcurrentHashMap<>();
        final AtomicInteger acks = new AtomicInteger();

        Batch add(BrokerEvent e, String eventId) {
            return add(
                    e.aggregateId(),
                    EventCatalog.toJson(e),
                    eventId,
                    e.getClass().getSimpleName());
        }

        Batch add(String key, String payload, String eventId, String type) {
            ConsumerRecord<String, String> r =
                    new ConsumerRecord<>(Topics.SESSION_EVENTS, 0, records.size(), key, payload);
            r.headers().add(Topics.HEADER_EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
            r.headers().add(Topics.HEADER_EVENT_TYPE, type.getBytes(StandardCharsets.UTF_8));
            records.add(Message.of(
                    payload,
                    Metadata.of(new IncomingKafkaRecordMetadata<>(r, "session-events")),
                    () -> CompletableFuture.completedFuture(null),
                    t -> {
                        nacked.put(key, t);
                        return CompletableFuture.completedFuture(null);
                    }));
            return this;
        }

        void deliverTo(SessionEventsConsumer consumer) throws Throwable {
            Message<List<String>> batch =
                    Message.of(records.stream().map(Message::getPayload).toList(), () -> {
                        acks.incrementAndGet();
                        return CompletableFuture.completedFuture(null);
                    });
            VertxContextSupport.subscribeAndAwait(() -> consumer.consume(batch, records));
        }
    }

    static String requested(String session) {
        return SessionEventsConsumerTests.requested(session, "team-batch");
    }

    static int count(String query) {
        return Integer.parseInt(sql(query));
    }

    @Test
    void aBatchWithADuplicateAndAMalformedRecordAppliesEveryOtherEventOnce() throws Throwable {
        String a = "sess-batch-a-" + UUID.randomUUID();
        String b = "sess-batch-b-" + UUID.randomUUID();
        String bad = "sess-batch-bad-" + UUID.randomUUID();
        String c = "sess-batch-c-" + UUID.randomUUID();
        String idA = UUID.randomUUID().toString();
        String idC = UUID.randomUUID().toString();
        // c's event was already applied by an earlier batch: its redelivery below has no second effect
        new Batch().add(c, requested(c), idC, "SessionRequested").deliverTo(consumer);
        sql("with u as (update billing.session_accounts set reservation_hours = 7 where session_id = '" + c
                + "' returning 1) select count(*) from u");

        Batch batch = new Batch()
                .add(a, requested(a), idA, "SessionRequested")
                .add(bad, "{not json", UUID.randomUUID().toString(), "SessionRequested")
                .add(a, requested(a), idA, "SessionRequested")
                .add(c, requested(c), idC, "SessionRequested")
                .add(b, requested(b), UUID.randomUUID().toString(), "SessionRequested");
        batch.deliverTo(consumer);

        assertThat(count(
                        "select count(*) from billing.session_accounts where session_id in ('" + a + "', '" + b + "')"))
                .isEqualTo(2);
        assertThat(count("select count(*) from billing.session_accounts where session_id = '" + bad + "'"))
                .isZero();
        assertThat(count("select count(*) from billing.processed_messages where event_id = '" + idA + "'"))
                .isEqualTo(1);
        assertThat(sql("select reservation_hours from billing.session_accounts where session_id = '" + c + "'"))
                .isEqualTo("7");
        assertThat(batch.nacked).containsOnlyKeys(bad);
        assertThat(batch.nacked.get(bad)).isInstanceOf(MalformedEventException.class);
        assertThat(batch.acks).hasValue(1);
    }

    @Test
    void eventsOfOneSessionApplyInOffsetOrderWithinOneBatch() throws Throwable {
        String s = "sess-batch-order-" + UUID.randomUUID();
        String other = "sess-batch-other-" + UUID.randomUUID();
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(40));
        // the first start wins: the replayed start with another price comes after it in the partition
        new Batch()
                .add(
                        started(s, "team-batch", "vastai", "RTX 4090", "0.45", start, "i-1"),
                        UUID.randomUUID().toString())
                .add(
                        started(other, "team-batch", "vastai", "RTX 4090", "0.30", start, "i-2"),
                        UUID.randomUUID().toString())
                .add(
                        started(s, "team-batch", "vastai", "RTX 4090", "0.90", start.plusSeconds(60), "i-1"),
                        UUID.randomUUID().toString())
                .add(
                        stopped(s, "team-batch", "vastai", start.plus(Duration.ofMinutes(30))),
                        UUID.randomUUID().toString())
                .deliverTo(consumer);

        assertThat(new BigDecimal(
                        sql("select price_per_hour from billing.billed_sessions where session_id = '" + s + "'")))
                .isEqualByComparingTo("0.45");
        assertThat(ended(s)).isTrue();
        assertThat(ledgerTotal(s)).isEqualByComparingTo("0.225");
        assertThat(new BigDecimal(
                        sql("select price_per_hour from billing.billed_sessions where session_id = '" + other + "'")))
                .isEqualByComparingTo("0.30");
    }

    @Test
    void aBurstOnKafkaWithADuplicateAndAPoisonRecordIsAppliedOnceEach() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int events = 300;
        String duplicateId = UUID.randomUUID().toString();
        String poison = "sess-burst-poison-" + run;
        try (KafkaProbe dlq = KafkaProbe.tail(Topics.deadLetter(Topics.SESSION_EVENTS));
                KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < events; i++) {
                String session = "sess-burst-" + run + "-" + i;
                String id = i == 7 ? duplicateId : UUID.randomUUID().toString();
                producer.send(record(session, requested(session), id));
                if (i == 7) {
                    producer.send(record(session, requested(session), duplicateId));
                }
                if (i == 150) {
                    producer.send(record(
                            poison,
                            "{\"session_id\":\"" + poison + "\"}",
                            UUID.randomUUID().toString()));
                }
            }
            producer.flush();

            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            count("select count(*) from billing.session_accounts where session_id like 'sess-burst-"
                                            + run + "-%'")
                                    == events);
            assertThat(count("select count(*) from billing.processed_messages where event_id = '" + duplicateId + "'"))
                    .isEqualTo(1);
            List<ConsumerRecord<String, String>> dead =
                    dlq.pollUntil(Duration.ofSeconds(30), r -> poison.equals(r.key()));
            assertThat(dead).extracting(ConsumerRecord::key).contains(poison);
            assertThat(count("select count(*) from billing.session_accounts where session_id = '" + poison + "'"))
                    .isZero();
        }
    }

    static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().kafkaBootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        return new KafkaProducer<>(p);
    }

    static ProducerRecord<String, String> record(String key, String payload, String eventId) {
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.SESSION_EVENTS, key, payload);
        r.headers().add(Topics.HEADER_EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.HEADER_EVENT_TYPE, "SessionRequested".getBytes(StandardCharsets.UTF_8));
        return r;
    }
}
