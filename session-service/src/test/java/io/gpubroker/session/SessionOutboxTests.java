package io.gpubroker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.contracts.Topics;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.rest.CreateSessionRequest;
import io.gpubroker.session.service.SessionService;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.gpubroker.testkit.TestStack;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The first saga hop against real PostgreSQL, Kafka and Debezium in Kafka Connect. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SessionOutboxTests {

    @Inject
    SessionService sessions;

    @Inject
    OutboxWriter outbox;

    @BeforeAll
    static void connector() {
        TestStack.get().registerOutbox("session");
    }

    static Offer offer() {
        return new Offer(
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
                java.util.Map.of("ask_id", "1"),
                false);
    }

    static CreateSessionRequest request(String consumer, String offerId) {
        return new CreateSessionRequest(
                consumer, offerId, null, "llm", 2, 30, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    Session create(String consumer) {
        Offer o = offer();
        try {
            return VertxContextSupport.subscribeAndAwait(
                            () -> sessions.create(request(consumer, o.id()).toNewSession(), o, null))
                    .session();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCreatedSessionAlsoSendsProvisionInstanceWithBothPublicKeysAndNoPrivateKey() {
        try (KafkaProbe probe = KafkaProbe.tail(Topics.PROVISIONING_REQUESTS)) {
            Session s = create("team-cmd");
            List<ConsumerRecord<String, String>> seen =
                    probe.pollUntil(Duration.ofSeconds(30), r -> s.id.equals(r.key()));
            ConsumerRecord<String, String> r =
                    seen.stream().filter(x -> s.id.equals(x.key())).findFirst().orElseThrow();
            assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)).isEqualTo("ProvisionInstance");
            io.gpubroker.contracts.ProvisionInstance cmd =
                    (io.gpubroker.contracts.ProvisionInstance) EventCatalog.fromJson("ProvisionInstance", r.value());
            assertThat(cmd.sshPublicKeys()).hasSize(2).allMatch(k -> k.startsWith("ssh-ed25519 "));
            assertThat(cmd.provisioning()).containsEntry("ask_id", "1");
            assertThat(r.value()).doesNotContain("PRIVATE KEY");
        }
    }

    @Test
    void aCommittedSessionIsPublishedKeyedBySessionIdWithIdAndTypeHeaders() throws Exception {
        try (KafkaProbe probe = KafkaProbe.tail(Topics.SESSION_EVENTS)) {
            Session s = create("team-hop");
            List<ConsumerRecord<String, String>> seen =
                    probe.pollUntil(Duration.ofSeconds(30), r -> s.id.equals(r.key()));
            ConsumerRecord<String, String> r =
                    seen.stream().filter(x -> s.id.equals(x.key())).findFirst().orElseThrow();
            assertThat(UUID.fromString(KafkaProbe.header(r, Topics.HEADER_EVENT_ID)))
                    .isNotNull();
            assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE)).isEqualTo("SessionRequested");
            assertThat(KafkaProbe.header(r, Topics.HEADER_EVENT_VERSION)).isEqualTo("1");
            SessionRequested e = (SessionRequested) EventCatalog.fromJson("SessionRequested", r.value());
            assertThat(e.sessionId()).isEqualTo(s.id);
            assertThat(e.pricePerHour()).isEqualByComparingTo("0.45");
            assertThat(e.consumerId()).isEqualTo("team-hop");
        }
    }

    @Test
    void aRolledBackTransactionPublishesNothing() {
        try (KafkaProbe probe = KafkaProbe.tail(Topics.SESSION_EVENTS)) {
            String doomed = "sess-rollback-" + UUID.randomUUID();
            SessionRequested event = new SessionRequested(
                    doomed,
                    "team-rb",
                    "vastai-x",
                    "vastai",
                    "RTX 4090",
                    1,
                    BigDecimal.ONE,
                    "USD",
                    1,
                    "llm",
                    Instant.now());
            try {
                VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                        .chain(db -> outbox.append(db, "session", event))
                        .chain(id -> io.smallrye.mutiny.Uni.createFrom().failure(new IllegalStateException("boom")))));
            } catch (Throwable expected) {
                assertThat(expected).hasMessageContaining("boom");
            }
            Session marker = create("team-rb");
            List<ConsumerRecord<String, String>> seen =
                    probe.pollUntil(Duration.ofSeconds(30), r -> marker.id.equals(r.key()));
            seen = new ArrayList<>(seen);
            seen.addAll(probe.drain(Duration.ofSeconds(2)));
            assertThat(seen).extracting(ConsumerRecord::key).contains(marker.id).doesNotContain(doomed);
        }
    }

    @Test
    void killingTheConnectWorkerLosesNoEvent() throws Exception {
        Path state = Path.of(TestStackRoot.root(), ".broker/test/state.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.exists(state),
                "needs the test command's stack (./broker test), whose watchdog restarts Kafka Connect");
        long oldPid = connectPid(state);
        try (KafkaProbe probe = KafkaProbe.tail(Topics.SESSION_EVENTS)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(create("team-crash-" + i).id);
            }
            ProcessHandle.of(oldPid).ifPresent(ProcessHandle::destroyForcibly);
            for (int i = 10; i < 30; i++) {
                ids.add(create("team-crash-" + i).id);
            }
            Set<String> want = Set.copyOf(ids);
            List<ConsumerRecord<String, String>> seen = probe.pollUntil(
                    Duration.ofSeconds(120), r -> probe.seenKeys().containsAll(want));
            Set<String> got = seen.stream()
                    .map(ConsumerRecord::key)
                    .filter(want::contains)
                    .collect(Collectors.toSet());
            assertThat(got).containsExactlyInAnyOrderElementsOf(want);
            assertThat(connectPid(state)).isNotEqualTo(oldPid);
        }
    }

    @SuppressWarnings("unchecked")
    private static long connectPid(Path state) throws Exception {
        Map<String, Object> s = new ObjectMapper().readValue(state.toFile(), Map.class);
        for (Map<String, Object> c : (List<Map<String, Object>>) s.get("components")) {
            if ("kafka-connect".equals(c.get("name"))) {
                return ((Number) c.get("pid")).longValue();
            }
        }
        throw new IllegalStateException("no kafka-connect in " + state);
    }

    /** Finds the project root for the state file. */
    static final class TestStackRoot {
        static String root() {
            Path p = Path.of("").toAbsolutePath();
            while (p != null && !Files.exists(p.resolve("broker"))) {
                p = p.getParent();
            }
            return p == null ? "." : p.toString();
        }
    }
}
