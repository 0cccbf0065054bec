package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.examples.SessionFollower;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The subscribers' guide (docs/subscribers.md) against the real stack: a consumer runs a session
 * through the gateway while the example Kafka subscriber ({@link SessionFollower}) follows that
 * consumer and the gateway's event stream ({@code GET /api/v1/events}) shows it the same events;
 * the subscriber prints the lifecycle and the final cost billing reports, and a redelivered event
 * is printed once.
 */
class SubscriberExampleTests {
    private static final List<String> LIFECYCLE =
            List.of("SessionRequested", "SessionProvisioning", "SessionStarted", "SessionStopping", "SessionStopped");

    @Test
    void theExampleSubscriberAndTheGatewayStreamFollowASessionsLifecycleAndCost() throws Exception {
        String admin = E2EStack.get().adminKeyValue();
        String consumer = "sub-" + UUID.randomUUID().toString().substring(0, 8);
        String key = GatewayFlowTests.consumer(admin, consumer);
        String[] auth = {"Authorization", "Bearer " + key};
        String bootstrap = TestStack.get().kafkaBootstrap();
        // a little before now: the subscriber replays from here, so it cannot miss the first event
        Instant since = Instant.now().minusSeconds(2);

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        SessionFollower follower = new SessionFollower(
                new SessionFollower.Options(bootstrap, null, consumer, since, false, null, true, Map.of()), out);
        SseReader stream = new SseReader(URI.create(GatewayFlowTests.gw() + "/api/v1/events"), key);
        try {
            Future<Map<String, SessionFollower.Followed>> followed =
                    pool.submit(() -> follower.run(Duration.ofMinutes(8)));
            pool.submit(stream);
            // a loaded machine may take a while to open the first Kafka consumer of the gateway
            await().atMost(Duration.ofMinutes(2)).until(() -> stream.has("ready"));

            JsonNode offer = SessionLifecycleTests.firstOffer("rackrr");
            E2EStack.Reply created = call(
                    "POST",
                    GatewayFlowTests.gw() + "/api/v1/sessions",
                    Map.of("offer_id", offer.path("id").asText(), "workload_type", "batch", "reservation_hours", 1),
                    auth);
            assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
            String id = created.body().path("session").path("id").asText();
            SessionLifecycleTests.awaitStatus(id, "running");
            // at 60x a real second is a broker minute: let billing accrue a few before ending
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> printed.toString(StandardCharsets.UTF_8).contains("CostAccrued"));
            assertThat(call("POST", GatewayFlowTests.gw() + "/api/v1/sessions/" + id + "/done", null, auth)
                            .status())
                    .isEqualTo(200);
            SessionLifecycleTests.awaitStatus(id, "stopped");

            // the subscriber stops by itself once the session ended and its final cost arrived
            SessionFollower.Followed f = followed.get(3, TimeUnit.MINUTES).get(id);
            assertThat(f).as("followed " + id + "; printed:\n" + printed).isNotNull();
            assertThat(f.lifecycle()).containsExactlyElementsOf(LIFECYCLE);
            assertThat(f.finalCost()).isTrue();
            JsonNode billed = call("GET", url("billing-service") + "/costs?session_id=" + id, null)
                    .body();
            assertThat(f.total()).isEqualByComparingTo(billed.path("total_cost").decimalValue());
            assertThat(f.total()).isPositive();
            String text = printed.toString(StandardCharsets.UTF_8);
            assertThat(text).contains(id).contains("SessionStarted").contains("final total");
            System.out.println("example subscriber printed:\n" + text);

            // the gateway streamed the same session and cost events to the consumer, each once
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.has("CostAccrued", "\"final\":true"));
            List<String> sessionEvents = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (SseReader.Frame fr : stream.frames()) {
                if (fr.event().equals("ready") || fr.event().equals("error")) {
                    continue;
                }
                JsonNode d = E2EStack.JSON.readTree(fr.data());
                assertThat(d.path("payload").path("consumer_id").asText()).isEqualTo(consumer);
                ids.add(d.path("event_id").asText());
                // the lifecycle; InstanceCreated / InstanceGone (billing facts, #18) ride on the same topic
                if (d.path("topic").asText().equals("session.events")
                        && !d.path("type").asText().startsWith("Instance")) {
                    sessionEvents.add(d.path("type").asText());
                }
            }
            assertThat(sessionEvents).containsExactlyElementsOf(LIFECYCLE);
            assertThat(ids).doesNotHaveDuplicates();

            // at least once: the same event delivered again (same id header) is printed once
            ConsumerRecord<String, String> started = find(bootstrap, since, id, "SessionStarted");
            KafkaProbe.send(
                    started.topic(),
                    started.key(),
                    started.value(),
                    "id",
                    header(started, "id"),
                    "eventType",
                    "SessionStarted",
                    "eventVersion",
                    "1");
            ByteArrayOutputStream replayed = new ByteArrayOutputStream();
            try (SessionFollower replay = new SessionFollower(
                    new SessionFollower.Options(bootstrap, id, null, since, false, null, false, Map.of()),
                    new PrintStream(replayed, true, StandardCharsets.UTF_8))) {
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                Map<String, SessionFollower.Followed> seen = Map.of();
                while ((seen.get(id) == null || !seen.get(id).done() || replay.duplicates() == 0)
                        && System.nanoTime() < deadline) {
                    seen = replay.run(Duration.ofSeconds(2));
                }
                SessionFollower.Followed again = seen.get(id);
                assertThat(again.lifecycle()).containsExactlyElementsOf(LIFECYCLE);
                assertThat(again.total()).isEqualByComparingTo(f.total());
                assertThat(replay.duplicates()).isEqualTo(1);
            }
            assertThat(replayed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("SessionStarted")))
                    .hasSize(1);
        } finally {
            follower.stop();
            stream.close();
            pool.shutdownNow();
            try {
                follower.close();
            } catch (RuntimeException e) {
                // still polling on the pool's thread after a failure: the JVM's exit closes it
            }
        }
    }

    /** The record of {@code type} for session {@code id}, read from session.events since {@code since}. */
    private static ConsumerRecord<String, String> find(String bootstrap, Instant since, String id, String type) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(SessionFollower.SESSION_EVENTS)) {
                parts.add(new TopicPartition(i.topic(), i.partition()));
            }
            c.assign(parts);
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(query);
            parts.forEach(tp -> {
                if (at.get(tp) != null) {
                    c.seek(tp, at.get(tp).offset());
                } else {
                    c.seekToEnd(List.of(tp));
                }
            });
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    if (id.equals(r.key()) && type.equals(header(r, "eventType"))) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no " + type + " of " + id + " on session.events");
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A minimal SSE reader of the gateway's stream (events only; comments skipped). */
    static final class SseReader implements Runnable, AutoCloseable {
        record Frame(String event, String id, String data) {}

        private final URI uri;
        private final String key;
        private final List<Frame> frames = Collections.synchronizedList(new ArrayList<>());
        private final AtomicReference<InputStream> body = new AtomicReference<>();
        private volatile String lastId;
        private volatile boolean closed;

        SseReader(URI uri, String key) {
            this.uri = uri;
            this.key = key;
        }

        @Override
        public void run() {
            // like a browser's EventSource: reconnect after an end or an error frame, resuming with Last-Event-ID
            while (!closed) {
                read();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void read() {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + key)
                        .header("Accept", "text/event-stream");
                if (lastId != null) {
                    b.header("Last-Event-ID", lastId);
                }
                HttpResponse<InputStream> r =
                        E2EStack.HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                body.set(r.body());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("stream answered " + r.statusCode());
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
                String event = null;
                String id = null;
                String data = null;
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (event != null) {
                            frames.add(new Frame(event, id, data));
                            if (id != null) {
                                lastId = id;
                            }
                        }
                        event = id = data = null;
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        data = line.substring(5).trim();
                    }
                }
            } catch (Exception e) {
                // closed by the test, or the connection dropped: reconnect
            }
        }

        boolean has(String event, String... dataParts) {
            synchronized (frames) {
                return frames.stream()
                        .anyMatch(f -> f.event().equals(event)
                                && java.util.Arrays.stream(dataParts)
                                        .allMatch(p -> f.data().contains(p)));
            }
        }

        List<Frame> frames() {
            synchronized (frames) {
                return List.copyOf(frames);
            }
        }

        @Override
        public void close() {
            closed = true;
            InputStream in = body.get();
            if (in != null) {
                try {
                    in.close();
                } catch (Exception e) {
                    // already closed
                }
            }
        }
    }
}
