package io.gpubroker.kit.messaging;

import static io.gpubroker.kit.KitDb.await;
import static io.gpubroker.kit.KitDb.count;
import static io.gpubroker.kit.KitDb.requested;
import static io.gpubroker.kit.KitDb.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.OfferWithdrawn;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/** The inbox against the real PostgreSQL: one effect per event id and consumer, in the effect's transaction. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class InboxTests {

    @Inject
    Inbox inbox;

    @Inject
    Pool pool;

    static Envelope envelope(String eventId) {
        SessionRequested event = requested("sess-" + UUID.randomUUID());
        return new Envelope(eventId, "SessionRequested", event.sessionId(), event);
    }

    @Test
    void aRedeliveredEventIsRecordedOnceAndItsEffectRunsOnce() {
        Envelope env = envelope(UUID.randomUUID().toString());
        AtomicInteger effects = new AtomicInteger();

        Inbox.Outcome first = await(() -> inbox.process("kit-consumer", env, (s, e) -> {
            effects.incrementAndGet();
            return Uni.createFrom().voidItem();
        }));
        Inbox.Outcome again = await(() -> inbox.process("kit-consumer", env, (s, e) -> {
            effects.incrementAndGet();
            return Uni.createFrom().voidItem();
        }));

        assertThat(first).isEqualTo(Inbox.Outcome.APPLIED);
        assertThat(again).isEqualTo(Inbox.Outcome.DUPLICATE);
        assertThat(effects).hasValue(1);
        assertThat(rows(
                        pool,
                        "select event_type from kit_test.processed_messages where consumer = $1 and event_id = $2",
                        "kit-consumer",
                        env.eventId()))
                .singleElement()
                .satisfies(r -> assertThat(r.getString("event_type")).isEqualTo("SessionRequested"));
    }

    @Test
    void eachConsumerAppliesTheSameEventOnce() {
        Envelope env = envelope(UUID.randomUUID().toString());

        assertThat(await(() -> inbox.process(
                        "kit-billing", env, (s, e) -> Uni.createFrom().voidItem())))
                .isEqualTo(Inbox.Outcome.APPLIED);
        assertThat(await(() -> inbox.process(
                        "kit-session", env, (s, e) -> Uni.createFrom().voidItem())))
                .isEqualTo(Inbox.Outcome.APPLIED);
        assertThat(count(pool, "select count(*) from kit_test.processed_messages where event_id = $1", env.eventId()))
                .isEqualTo(2);
    }

    @Test
    void aFailedEffectRollsTheRecordBackSoTheRetryApplies() {
        Envelope env = envelope(UUID.randomUUID().toString());

        assertThatThrownBy(() -> await(() -> inbox.process(
                        "kit-consumer",
                        env,
                        (s, e) -> Uni.createFrom().failure(new IllegalStateException("database hiccup")))))
                .hasMessageContaining("database hiccup");
        assertThat(count(pool, "select count(*) from kit_test.processed_messages where event_id = $1", env.eventId()))
                .isZero();

        AtomicInteger effects = new AtomicInteger();
        assertThat(await(() -> inbox.process("kit-consumer", env, (s, e) -> {
                    effects.incrementAndGet();
                    return Uni.createFrom().voidItem();
                })))
                .isEqualTo(Inbox.Outcome.APPLIED);
        assertThat(effects).hasValue(1);
    }

    @Test
    void theEffectWritesInTheSameTransactionAsTheRecord() {
        Envelope env = envelope(UUID.randomUUID().toString());
        String marker = "inbox-" + env.eventId();

        // the effect's own write goes through the session it is given; the failure after it undoes both
        assertThatThrownBy(() -> await(() -> inbox.process(
                        "kit-consumer",
                        env,
                        (s, e) -> s.createNativeQuery(
                                        "insert into kit_test.outbox (id, aggregatetype, aggregateid, type, topic, payload)"
                                                + " values (gen_random_uuid(), 'test', ?1, 'Marker', 'test.events', '{}'::jsonb)")
                                .setParameter(1, marker)
                                .executeUpdate()
                                .chain(n -> Uni.createFrom().failure(new IllegalStateException("after the write"))))))
                .hasMessageContaining("after the write");

        assertThat(count(pool, "select count(*) from kit_test.outbox where aggregateid = $1", marker))
                .isZero();
        assertThat(count(pool, "select count(*) from kit_test.processed_messages where event_id = $1", env.eventId()))
                .isZero();
    }

    @Test
    void aMessageWithoutEventHeadersIsNackedForTheDeadLetterTopicWithoutAnEffect() {
        AtomicReference<Throwable> nacked = new AtomicReference<>();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger effects = new AtomicInteger();
        Message<String> msg = Message.of(
                "{\"session_id\":\"s-1\"}",
                () -> {
                    acked.incrementAndGet();
                    return CompletableFuture.completedFuture(null);
                },
                t -> {
                    nacked.set(t);
                    return CompletableFuture.completedFuture(null);
                });

        inbox.handle(msg, "kit-consumer", (s, e) -> {
                    effects.incrementAndGet();
                    return Uni.createFrom().voidItem();
                })
                .await()
                .indefinitely();

        assertThat(nacked.get()).isInstanceOf(MalformedEventException.class).hasMessageContaining("'id' header");
        assertThat(acked).hasValue(0);
        assertThat(effects).hasValue(0);
    }

    @Test
    void aValidMessageIsAppliedAndAckedAndItsRedeliveryAckedWithoutASecondEffect() {
        SessionRequested event = requested("sess-" + UUID.randomUUID());
        String eventId = UUID.randomUUID().toString();
        KafkaMessages kafka = new KafkaMessages();
        AtomicInteger effects = new AtomicInteger();

        for (int delivery = 0; delivery < 2; delivery++) {
            Message<String> msg =
                    kafka.message(eventId, "SessionRequested", event.sessionId(), EventCatalog.toJson(event));
            await(() -> inbox.handle(msg, "kit-handler", (s, e) -> {
                assertThat(Inbox.as(e, SessionRequested.class)).isEqualTo(event);
                effects.incrementAndGet();
                return Uni.createFrom().voidItem();
            }));
        }

        assertThat(effects).hasValue(1);
        assertThat(kafka.acks).hasValue(2);
        assertThat(kafka.nack.get()).isNull();
    }

    @Test
    void aBatchRecordsEachIdOnceAndAppliesOnlyTheFreshEventsInTheirOrder() {
        Envelope seenBefore = envelope(UUID.randomUUID().toString());
        await(() -> inbox.process(
                "kit-batch", seenBefore, (s, e) -> Uni.createFrom().voidItem()));
        Envelope a = envelope(UUID.randomUUID().toString());
        Envelope b = envelope(UUID.randomUUID().toString());
        Envelope c = envelope(UUID.randomUUID().toString());
        List<Envelope> applied = new CopyOnWriteArrayList<>();

        Inbox.BatchOutcome outcome =
                await(() -> inbox.processBatch("kit-batch", List.of(a, seenBefore, b, a, c), (s, fresh) -> {
                    applied.addAll(fresh);
                    return Uni.createFrom().voidItem();
                }));

        assertThat(applied).containsExactly(a, b, c);
        assertThat(outcome).isEqualTo(new Inbox.BatchOutcome(3, 2));
        assertThat(count(
                        pool,
                        "select count(*) from kit_test.processed_messages where consumer = $1 and event_id = any($2)",
                        "kit-batch",
                        new String[] {a.eventId(), b.eventId(), c.eventId(), seenBefore.eventId()}))
                .isEqualTo(4);
    }

    @Test
    void aFailedBatchEffectRecordsNoIdOfTheBatch() {
        Envelope a = envelope(UUID.randomUUID().toString());
        Envelope b = envelope(UUID.randomUUID().toString());

        assertThatThrownBy(() -> await(() -> inbox.processBatch(
                        "kit-batch",
                        List.of(a, b),
                        (s, fresh) -> Uni.createFrom().failure(new IllegalStateException("database hiccup")))))
                .hasMessageContaining("database hiccup");

        assertThat(count(pool, "select count(*) from kit_test.processed_messages where event_id = any($1)", (Object)
                        new String[] {a.eventId(), b.eventId()}))
                .isZero();
    }

    @Test
    void aMalformedRecordInABatchIsDeadLetteredAloneAndTheOthersAppliedInOneGo() {
        KafkaMessages kafka = new KafkaMessages();
        SessionRequested first = requested("sess-" + UUID.randomUUID());
        SessionRequested second = requested("sess-" + UUID.randomUUID());
        String firstId = UUID.randomUUID().toString();
        List<Message<String>> records = List.of(
                kafka.message(firstId, "SessionRequested", first.sessionId(), EventCatalog.toJson(first), 10),
                kafka.message(UUID.randomUUID().toString(), "SessionRequested", "sess-bad", "{not json", 11),
                kafka.message(firstId, "SessionRequested", first.sessionId(), EventCatalog.toJson(first), 12),
                kafka.message(
                        UUID.randomUUID().toString(),
                        "SessionRequested",
                        second.sessionId(),
                        EventCatalog.toJson(second),
                        13));
        List<List<Envelope>> calls = new CopyOnWriteArrayList<>();

        await(() -> inbox.handleBatch(
                kafka.batch(records),
                records,
                "kit-batch",
                (s, fresh) -> {
                    calls.add(fresh);
                    return Uni.createFrom().voidItem();
                },
                (s, e) -> Uni.createFrom().failure(new AssertionError("no fallback expected"))));

        assertThat(calls)
                .singleElement()
                .satisfies(
                        fresh -> assertThat(fresh).extracting(Envelope::event).containsExactly(first, second));
        assertThat(kafka.nackedKeys).containsExactly("sess-bad");
        assertThat(kafka.nack.get()).isInstanceOf(MalformedEventException.class);
        assertThat(kafka.batchAcks).hasValue(1);
    }

    @Test
    void aBatchWhoseTransactionFailsIsAppliedOnePerTransactionAndOnlyThePoisonIsDeadLettered() {
        KafkaMessages kafka = new KafkaMessages();
        List<SessionRequested> events = List.of(
                requested("sess-" + UUID.randomUUID()),
                requested("sess-poison-" + UUID.randomUUID()),
                requested("sess-" + UUID.randomUUID()));
        List<Message<String>> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            SessionRequested e = events.get(i);
            records.add(kafka.message(
                    UUID.randomUUID().toString(), "SessionRequested", e.sessionId(), EventCatalog.toJson(e), i));
        }
        List<String> applied = new CopyOnWriteArrayList<>();

        await(() -> inbox.handleBatch(
                kafka.batch(records),
                records,
                "kit-batch",
                (s, fresh) -> Uni.createFrom().failure(new IllegalStateException("one event breaks the batch")),
                (s, e) -> {
                    String session = Inbox.as(e, SessionRequested.class).sessionId();
                    if (session.startsWith("sess-poison-")) {
                        // not transient: dead-lettered at once instead of after the retries
                        return Uni.createFrom().failure(new MalformedEventException("cannot apply " + session));
                    }
                    applied.add(session);
                    return Uni.createFrom().voidItem();
                }));

        assertThat(applied)
                .containsExactly(events.get(0).sessionId(), events.get(2).sessionId());
        assertThat(kafka.nackedKeys).containsExactly(events.get(1).sessionId());
        assertThat(kafka.acks).hasValue(2);
        assertThat(kafka.batchAcks).hasValue(1);
        assertThat(count(
                        pool,
                        "select count(*) from kit_test.processed_messages where consumer = 'kit-batch' and event_id = any($1)",
                        (Object) records.stream()
                                .map(m -> Envelope.of(m).eventId())
                                .toArray(String[]::new)))
                .isEqualTo(2);
    }

    @Test
    void anEventThatMustRunAloneSplitsTheBatchAtItsPlace() {
        KafkaMessages kafka = new KafkaMessages();
        List<SessionRequested> events = List.of(
                requested("sess-" + UUID.randomUUID()),
                requested("sess-" + UUID.randomUUID()),
                requested("sess-alone-" + UUID.randomUUID()),
                requested("sess-" + UUID.randomUUID()));
        List<Message<String>> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            SessionRequested e = events.get(i);
            records.add(kafka.message(
                    UUID.randomUUID().toString(), "SessionRequested", e.sessionId(), EventCatalog.toJson(e), i));
        }
        List<List<Object>> transactions = new CopyOnWriteArrayList<>();

        await(() -> inbox.handleBatch(
                kafka.batch(records),
                records,
                "kit-batch",
                (s, fresh) -> {
                    transactions.add(fresh.stream()
                            .map(Envelope::event)
                            .map(Object.class::cast)
                            .toList());
                    return Uni.createFrom().voidItem();
                },
                (s, e) -> Uni.createFrom().failure(new AssertionError("no fallback expected")),
                e -> e.key().startsWith("sess-alone-")));

        assertThat(transactions)
                .containsExactly(List.of(events.get(0), events.get(1)), List.of(events.get(2)), List.of(events.get(3)));
        assertThat(kafka.batchAcks).hasValue(1);
    }

    @Test
    void asRefusesAnEventOfAnotherType() {
        Envelope env = envelope("e-1");

        assertThat(Inbox.as(env, SessionRequested.class)).isSameAs(env.event());
        assertThatThrownBy(() -> Inbox.as(env, OfferWithdrawn.class))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("expected OfferWithdrawn but got SessionRequested");
    }
}
