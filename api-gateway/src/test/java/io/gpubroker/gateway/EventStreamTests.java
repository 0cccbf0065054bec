package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.BudgetWarning;
import io.gpubroker.contracts.CostAccrued;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.ProviderDriftMeasured;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.contracts.SessionStarted;
import io.gpubroker.contracts.SessionStopped;
import io.gpubroker.gateway.SseClient.Frame;
import io.gpubroker.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/events} against the real Kafka of the test infrastructure: events are
 * published on the real topics exactly as Debezium's outbox router does (key, id / eventType /
 * eventVersion headers, JSON payload), and read back through the gateway's SSE stream.
 */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class EventStreamTests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");

    @Test
    void aConsumerSeesOnlyItsOwnEventsAndTheAdminSeesEveryonesOrOnesItNames() throws Exception {
        Api.Team a = Api.newTeam("ev-a");
        Api.Team b = Api.newTeam("ev-b");
        try (SseClient sa = ready(SseClient.connect(a.key(), "/api/v1/events"));
                SseClient sb = ready(SseClient.connect(b.key(), "/api/v1/events"));
                SseClient all = ready(SseClient.connect(GatewayTestProfile.ADMIN, "/api/v1/events"));
                SseClient onlyB =
                        ready(SseClient.connect(GatewayTestProfile.ADMIN, "/api/v1/events?consumer_id=" + b.id()))) {
            String sessA = "sess-" + a.id();
            String sessB = "sess-" + b.id();
            List<String> ofB = List.of(
                    publish(requested(sessB, b.id())), publish(cost(sessB, b.id(), "0.10")), publish(budget(b.id())));
            List<String> ofA = List.of(
                    publish(requested(sessA, a.id())),
                    publish(cost(sessA, a.id(), "0.20")),
                    publish(started(sessA, a.id())));
            String drift = publish(new ProviderDriftMeasured(
                    "vastai", new BigDecimal("1.00"), new BigDecimal("1.00"), BigDecimal.ZERO, 1, 0, "USD", NOW));

            assertThat(eventIds(sa, ofA.size())).containsExactlyInAnyOrderElementsOf(ofA);
            assertThat(eventIds(sb, ofB.size())).containsExactlyInAnyOrderElementsOf(ofB);
            assertThat(eventIds(onlyB, ofB.size())).containsExactlyInAnyOrderElementsOf(ofB);
            List<String> everyone = new ArrayList<>(ofA);
            everyone.addAll(ofB);
            everyone.add(drift);
            assertThat(eventIdsUntil(all, everyone)).containsAll(everyone);

            // two heartbeats later (each after a full poll of every partition) nothing else came
            for (SseClient c : List.of(sa, sb, onlyB)) {
                heartbeats(c, 2);
            }
            assertThat(consumersIn(sa)).containsOnly(a.id());
            assertThat(consumersIn(sb)).containsOnly(b.id());
            assertThat(consumersIn(onlyB)).containsOnly(b.id());
            assertThat(eventIdsIn(sa)).containsExactlyInAnyOrderElementsOf(ofA);
            assertThat(eventIdsIn(sb)).containsExactlyInAnyOrderElementsOf(ofB);
        }
    }

    @Test
    void theStreamIsServerSentEventsWithARetryHintAndHeartbeatComments() {
        Api.Team a = Api.newTeam("ev-hb");
        try (SseClient s = SseClient.connect(a.key(), "/api/v1/events")) {
            assertThat(s.status()).isEqualTo(200);
            assertThat(s.header("Content-Type")).startsWith("text/event-stream");
            assertThat(s.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(s.header("X-Request-ID")).isNotBlank();
            Frame first = s.next(WAIT, f -> !f.isComment());
            assertThat(first.event()).isEqualTo("ready");
            assertThat(first.retry()).isEqualTo("3000");
            assertThat(first.id()).matches("s0-\\d+(\\.[scb]\\d+-\\d+)+");
            assertThat(json(first.data()).path("consumer_id").asText()).isEqualTo(a.id());
            assertThat(json(first.data()).path("resumed").asBoolean()).isFalse();
            assertThat(s.next(WAIT, Frame::isComment).comment()).isEqualTo("heartbeat");
        }
    }

    @Test
    void aResumedStreamContinuesRightAfterTheLastEventIdWithNoGapAndNoDuplicate() throws Exception {
        Api.Team a = Api.newTeam("ev-resume");
        List<Frame> before;
        String readyId;
        List<String> firstBatch = new ArrayList<>();
        try (SseClient s = ready(SseClient.connect(a.key(), "/api/v1/events"))) {
            readyId = s.seen().get(s.seen().size() - 1).id();
            // several sessions (partitions) and both topics, so the position spans many partitions
            for (int i = 0; i < 3; i++) {
                String sess = "sess-" + i + "-" + a.id();
                firstBatch.add(publish(requested(sess, a.id())));
                firstBatch.add(publish(cost(sess, a.id(), "0.0" + (i + 1))));
            }
            before = events(s, firstBatch.size());
            assertThat(before.stream().map(EventStreamTests::eventId)).containsExactlyInAnyOrderElementsOf(firstBatch);
        }
        // published while nobody listens
        List<String> whileAway = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String sess = "sess-" + i + "-" + a.id();
            whileAway.add(publish(started(sess, a.id())));
            whileAway.add(publish(cost(sess, a.id(), "0.5" + i)));
        }
        whileAway.add(publish(budget(a.id())));

        // resume after the third event received: the rest of the first batch, then all the new ones, once
        int cut = 3;
        List<String> expected = new ArrayList<>();
        before.subList(cut, before.size()).forEach(f -> expected.add(eventId(f)));
        expected.addAll(whileAway);
        try (SseClient r = SseClient.connect(
                a.key(), "/api/v1/events", "Last-Event-ID", before.get(cut - 1).id())) {
            Frame ready = r.next(WAIT, f -> "ready".equals(f.event()));
            assertThat(json(ready.data()).path("resumed").asBoolean()).isTrue();
            assertThat(ready.id()).isEqualTo(before.get(cut - 1).id());
            List<Frame> after = events(r, expected.size());
            assertThat(after.stream().map(EventStreamTests::eventId)).containsExactlyInAnyOrderElementsOf(expected);
            heartbeats(r, 2);
            assertThat(eventIdsIn(r)).hasSize(expected.size()).doesNotHaveDuplicates();
            assertThat(eventIdsIn(r))
                    .doesNotContainAnyElementsOf(before.subList(0, cut).stream()
                            .map(EventStreamTests::eventId)
                            .toList());
        }

        // the ready event's id resumes too (a client that saw no event yet misses nothing), here
        // through the query parameter for clients that cannot set headers
        List<String> everything = new ArrayList<>(firstBatch);
        everything.addAll(whileAway);
        try (SseClient r = ready(SseClient.connect(a.key(), "/api/v1/events?last_event_id=" + readyId))) {
            assertThat(events(r, everything.size()).stream().map(EventStreamTests::eventId))
                    .containsExactlyInAnyOrderElementsOf(everything);
        }
    }

    @Test
    void theSessionFilterPassesOnlyThatSessionsEventsOfTheCaller() throws Exception {
        Api.Team a = Api.newTeam("ev-sess");
        Api.Team b = Api.newTeam("ev-other");
        String x = "sess-x-" + a.id();
        String y = "sess-y-" + a.id();
        try (SseClient s = ready(SseClient.connect(a.key(), "/api/v1/events?session_id=" + x))) {
            publish(requested(y, a.id()));
            publish(cost(y, a.id(), "0.30"));
            publish(budget(a.id()));
            // another consumer's event naming the same session id stays invisible
            publish(requested(x, b.id()));
            List<String> ofX = List.of(
                    publish(requested(x, a.id())),
                    publish(cost(x, a.id(), "0.40")),
                    publish(new SessionStopped(x, a.id(), "vastai", "i-1", "done", NOW, NOW.plusSeconds(60))));
            assertThat(eventIds(s, ofX.size())).containsExactlyInAnyOrderElementsOf(ofX);
            heartbeats(s, 2);
            assertThat(eventIdsIn(s)).containsExactlyInAnyOrderElementsOf(ofX);
            for (Frame f : s.seen()) {
                if (!f.isComment() && !"ready".equals(f.event())) {
                    assertThat(json(f.data()).path("payload").path("session_id").asText())
                            .isEqualTo(x);
                }
            }
        }
    }

    @Test
    void refusalsBeforeTheStreamKeepTheJsonErrorShape() {
        Api.Team a = Api.newTeam("ev-err");
        Api.Team b = Api.newTeam("ev-err-b");
        assertError(SseClient.connect(null, "/api/v1/events"), 401, "missing API key");
        assertError(SseClient.connect("gbk_0123456789abcdef_nope", "/api/v1/events"), 401, "invalid");
        assertError(SseClient.connect(a.key(), "/api/v1/events?consumer_id=" + b.id()), 403, b.id());
        assertError(SseClient.connect(a.key(), "/api/v1/events", "Last-Event-ID", "s0-1.x9-2"), 400, "Last-Event-ID");
        assertError(
                SseClient.connect(a.key(), "/api/v1/events?last_event_id=s0-99999999999999999999"),
                400,
                "Last-Event-ID");
        assertError(SseClient.connect(a.key(), "/api/v1/events?session_id=a%20b"), 400, "session_id");
        // a consumer asking for itself by name is fine
        try (SseClient s = ready(SseClient.connect(a.key(), "/api/v1/events?consumer_id=" + a.id()))) {
            assertThat(s.status()).isEqualTo(200);
        }
    }

    @Test
    void aConsumerHoldsAtMostFiveStreamsOnOneGateway() {
        Api.Team a = Api.newTeam("ev-cap");
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                open.add(ready(SseClient.connect(a.key(), "/api/v1/events")));
            }
            assertError(SseClient.connect(a.key(), "/api/v1/events"), 429, "at most 5");
        } finally {
            open.forEach(SseClient::close);
        }
    }

    // --- helpers ---

    private static void assertError(SseClient c, int status, String message) {
        try (c) {
            assertThat(c.status()).isEqualTo(status);
            assertThat(c.header("Content-Type")).startsWith("application/json");
            JsonNode body = json(c.body());
            assertThat(body.path("error").asText()).contains(message);
            assertThat(body.path("request_id").asText()).isNotBlank();
        }
    }

    /** Waits for the stream's ready event (it is positioned: what is published now will be seen). */
    private static SseClient ready(SseClient c) {
        assertThat(c.status()).as("stream status").isEqualTo(200);
        c.next(WAIT, f -> "ready".equals(f.event()));
        return c;
    }

    private static List<Frame> events(SseClient c, int n) {
        List<Frame> out = new ArrayList<>();
        while (out.size() < n) {
            out.add(c.next(WAIT, f -> !f.isComment() && !"ready".equals(f.event())));
        }
        return out;
    }

    private static List<String> eventIds(SseClient c, int n) {
        return events(c, n).stream().map(EventStreamTests::eventId).toList();
    }

    /** Reads until every id in {@code wanted} arrived (other consumers' tests may add more). */
    private static Set<String> eventIdsUntil(SseClient c, List<String> wanted) {
        Set<String> got = new HashSet<>();
        while (!got.containsAll(wanted)) {
            got.add(eventId(c.next(WAIT, f -> !f.isComment() && !"ready".equals(f.event()))));
        }
        return got;
    }

    private static void heartbeats(SseClient c, int n) {
        for (int i = 0; i < n; i++) {
            c.next(WAIT, Frame::isComment);
        }
    }

    private static List<String> eventIdsIn(SseClient c) {
        return c.seen().stream()
                .filter(f -> !f.isComment() && !"ready".equals(f.event()))
                .map(EventStreamTests::eventId)
                .toList();
    }

    private static Set<String> consumersIn(SseClient c) {
        Set<String> out = new HashSet<>();
        for (Frame f : c.seen()) {
            if (!f.isComment() && !"ready".equals(f.event())) {
                out.add(json(f.data()).path("payload").path("consumer_id").asText());
            }
        }
        return out;
    }

    private static String eventId(Frame f) {
        JsonNode d = json(f.data());
        assertThat(f.event()).isEqualTo(d.path("type").asText());
        assertThat(f.id()).isNotBlank();
        return d.path("event_id").asText();
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** Publishes {@code e} as the outbox router does; returns its event id. */
    private static String publish(BrokerEvent e) {
        String id = UUID.randomUUID().toString();
        KafkaProbe.send(
                EventCatalog.entryOf(e).topic(),
                e.aggregateId(),
                EventCatalog.toJson(e),
                "id",
                id,
                "eventType",
                e.getClass().getSimpleName(),
                "eventVersion",
                "1");
        return id;
    }

    private static SessionRequested requested(String session, String consumer) {
        return new SessionRequested(
                session, consumer, "offer-1", "vastai", "RTX 4090", 1, new BigDecimal("0.45"), "USD", 1, "batch", NOW);
    }

    private static SessionStarted started(String session, String consumer) {
        return new SessionStarted(
                session, consumer, "vastai", "offer-1", "RTX 4090", 1, new BigDecimal("0.45"), "USD", "i-1", NOW);
    }

    private static CostAccrued cost(String session, String consumer, String amount) {
        return new CostAccrued(
                session,
                consumer,
                "vastai",
                "RTX 4090",
                new BigDecimal(amount),
                new BigDecimal(amount),
                "USD",
                NOW.plusSeconds(60),
                false,
                NOW.plusSeconds(60));
    }

    private static BudgetWarning budget(String consumer) {
        return new BudgetWarning(
                consumer, "2030-01", new BigDecimal("10"), new BigDecimal("8"), new BigDecimal("0.8"), "USD", NOW);
    }
}
