package io.gpubroker.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.contracts.Topics;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The consumer half of the first saga hop, on the real Kafka and PostgreSQL. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SessionEventsConsumerTests {

    static String requested(String sessionId, String consumer) {
        return """
                {"session_id":"%s","consumer_id":"%s","offer_id":"vastai-1","provider":"vastai","gpu_type":"RTX 4090",
                 "gpu_count":1,"price_per_hour":0.45,"currency":"USD","reservation_hours":2,"workload_type":"llm",
                 "requested_at":"2026-01-29T12:00:00Z"}""".formatted(sessionId, consumer);
    }

    static int accounts(String sessionId) {
        return Integer.parseInt(TestStack.get()
                .postgres()
                .query(
                        "gpubroker",
                        "select count(*) from billing.session_accounts where session_id = '" + sessionId + "'"));
    }

    static int processed(String eventId) {
        return Integer.parseInt(TestStack.get()
                .postgres()
                .query(
                        "gpubroker",
                        "select count(*) from billing.processed_messages where event_id = '" + eventId + "'"));
    }

    @Test
    void theSameEventDeliveredTwiceHasOneEffect() {
        String session = "sess-dup-" + UUID.randomUUID();
        String eventId = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            KafkaProbe.send(
                    Topics.SESSION_EVENTS,
                    session,
                    requested(session, "team-dup"),
                    Topics.HEADER_EVENT_ID,
                    eventId,
                    Topics.HEADER_EVENT_TYPE,
                    "SessionRequested");
        }
        String marker = "sess-after-dup-" + UUID.randomUUID();
        KafkaProbe.send(
                Topics.SESSION_EVENTS,
                marker,
                requested(marker, "team-dup"),
                Topics.HEADER_EVENT_ID,
                UUID.randomUUID().toString(),
                Topics.HEADER_EVENT_TYPE,
                "SessionRequested");
        await().atMost(Duration.ofSeconds(30)).until(() -> accounts(marker) == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> accounts(session) == 1);
        assertThat(processed(eventId)).isEqualTo(1);
        assertThat(accounts(session)).isEqualTo(1);
    }

    @Test
    void aMalformedMessageIsDeadLetteredWithItsReasonAndTheConsumerGoesOn() {
        try (KafkaProbe dlq = KafkaProbe.tail(Topics.deadLetter(Topics.SESSION_EVENTS))) {
            String bad = "sess-bad-" + UUID.randomUUID();
            KafkaProbe.send(
                    Topics.SESSION_EVENTS,
                    bad,
                    "{not json",
                    Topics.HEADER_EVENT_ID,
                    UUID.randomUUID().toString(),
                    Topics.HEADER_EVENT_TYPE,
                    "SessionRequested");
            String noId = "sess-noid-" + UUID.randomUUID();
            KafkaProbe.send(
                    Topics.SESSION_EVENTS,
                    noId,
                    requested(noId, "team-bad"),
                    Topics.HEADER_EVENT_TYPE,
                    "SessionRequested");
            String missingField = "sess-missing-" + UUID.randomUUID();
            KafkaProbe.send(
                    Topics.SESSION_EVENTS,
                    missingField,
                    "{\"session_id\":\"" + missingField + "\"}",
                    Topics.HEADER_EVENT_ID,
                    UUID.randomUUID().toString(),
                    Topics.HEADER_EVENT_TYPE,
                    "SessionRequested");
            String good = "sess-good-" + UUID.randomUUID();
            KafkaProbe.send(
                    Topics.SESSION_EVENTS,
                    good,
                    requested(good, "team-bad"),
                    Topics.HEADER_EVENT_ID,
                    UUID.randomUUID().toString(),
                    Topics.HEADER_EVENT_TYPE,
                    "SessionRequested");

            List<ConsumerRecord<String, String>> dead =
                    dlq.pollUntil(Duration.ofSeconds(30), r -> missingField.equals(r.key()));
            assertThat(dead).extracting(ConsumerRecord::key).contains(bad, noId, missingField);
            ConsumerRecord<String, String> badRec =
                    dead.stream().filter(r -> bad.equals(r.key())).findFirst().orElseThrow();
            assertThat(KafkaProbe.header(badRec, "dead-letter-reason")).isNotBlank();
            ConsumerRecord<String, String> noIdRec =
                    dead.stream().filter(r -> noId.equals(r.key())).findFirst().orElseThrow();
            assertThat(KafkaProbe.header(noIdRec, "dead-letter-reason")).contains("'id' header");
            ConsumerRecord<String, String> missingRec = dead.stream()
                    .filter(r -> missingField.equals(r.key()))
                    .findFirst()
                    .orElseThrow();
            assertThat(KafkaProbe.header(missingRec, "dead-letter-reason")).contains("consumer_id");
            await().atMost(Duration.ofSeconds(30)).until(() -> accounts(good) == 1);
            assertThat(accounts(bad) + accounts(noId) + accounts(missingField)).isZero();
        }
    }
}
