package io.gpubroker.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.InstanceListing;
import io.gpubroker.contracts.InstanceProvisioned;
import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.contracts.Topics;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.rest.CreateSessionRequest;
import io.gpubroker.session.saga.ProvisionSessionSaga;
import io.gpubroker.session.service.SessionService;
import io.gpubroker.session.service.SessionSteps;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.Test;

/**
 * Instances nobody wants are destroyed at once, over real Kafka and PostgreSQL: one that a create
 * finished after its session had failed, and an orphan whose last destroy command carries a time
 * in the future (the broker clock was behind after a restart).
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class UnwantedInstanceTests {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    SessionService sessions;

    @Inject
    SessionSteps steps;

    @Inject
    ProvisionSessionSaga saga;

    @Inject
    Mutiny.SessionFactory db;

    static <T> T await(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work::get);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static void reply(String topic, BrokerEvent e) {
        KafkaProbe.send(
                topic,
                e.aggregateId(),
                EventCatalog.toJson(e),
                Topics.HEADER_EVENT_ID,
                UUID.randomUUID().toString(),
                Topics.HEADER_EVENT_TYPE,
                e.getClass().getSimpleName());
    }

    static JsonNode terminateFor(KafkaProbe requests, String sessionId, String instanceId) {
        java.util.function.Predicate<ConsumerRecord<String, String>> mine = r -> sessionId.equals(r.key())
                && "TerminateInstance".equals(KafkaProbe.header(r, Topics.HEADER_EVENT_TYPE))
                && r.value().contains("\"" + instanceId + "\"");
        ConsumerRecord<String, String> r = requests.pollUntil(Duration.ofSeconds(30), mine).stream()
                .filter(mine)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no TerminateInstance for " + instanceId + " within 30 s"));
        try {
            return JSON.readTree(r.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anInstanceCreatedAfterItsSessionFailedIsCommandedDestroyedAtOnceAndRemembered() {
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
        Session created = await(() -> sessions.create(
                        new CreateSessionRequest(
                                        "team-late",
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
        String id = created.id;
        String command = created.saga.provisionCommandId;
        Session failed = await(() -> steps.apply(
                id,
                (s, now) -> saga.onProvisionFailed(
                        s,
                        new ProvisionFailed(command, id, "vastai", o.id(), null, "no_capacity", "gone", true, now),
                        now)));
        assertThat(failed.status).isEqualTo(SessionStatus.failed);
        String late = "late-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProbe requests = KafkaProbe.tail(Topics.PROVISIONING_REQUESTS)) {
            reply(
                    Topics.PROVISIONING_REPLIES,
                    new InstanceProvisioned(
                            command,
                            id,
                            "vastai",
                            o.id(),
                            late,
                            "gpub-local-" + id,
                            "127.0.0.1",
                            2222,
                            "root",
                            "running",
                            Instant.now()));
            JsonNode t = terminateFor(requests, id, late);
            assertThat(t.path("provider").asText()).isEqualTo("vastai");
            assertThat(t.path("reason").asText()).startsWith("unwanted");
        }
        Session after = await(() -> sessions.find(id));
        assertThat(after.status).as("the session stays failed").isEqualTo(SessionStatus.failed);
        List<?> rows = await(() -> db.withSession(s -> s.createNativeQuery(
                        "select instance_id from session.orphans where provider = 'vastai' and instance_id = ?1")
                .setParameter(1, late)
                .getResultList()));
        assertThat(rows)
                .as("remembered so the reconciliation commands it again while it is listed")
                .hasSize(1);
    }

    @Test
    void anOrphanLastCommandedInTheFutureIsCommandedAgainAtTheNextListing() {
        String sessionId = "sess-gone" + UUID.randomUUID().toString().substring(0, 8);
        String instance = "orph-" + UUID.randomUUID().toString().substring(0, 8);
        Instant future = Instant.now().plus(Duration.ofHours(5));
        await(() -> db.withTransaction(s -> s.createNativeQuery("""
                        insert into session.orphans (provider, instance_id, tag, detected_at, last_command_at)
                        values ('rackrr', ?1, ?2, ?3, ?3)""")
                .setParameter(1, instance)
                .setParameter(2, "gpub-local-" + sessionId)
                .setParameter(3, java.time.OffsetDateTime.ofInstant(future, java.time.ZoneOffset.UTC))
                .executeUpdate()));
        try (KafkaProbe requests = KafkaProbe.tail(Topics.PROVISIONING_REQUESTS)) {
            reply(
                    Topics.INSTANCE_INVENTORY,
                    new InstanceListing(
                            "rackrr",
                            "local",
                            Instant.now(),
                            true,
                            List.of(new InstanceListing.ListedInstance(
                                    instance,
                                    "gpub-local-" + sessionId,
                                    sessionId,
                                    "running",
                                    Instant.now().minus(Duration.ofHours(1))))));
            assertThat(terminateFor(requests, sessionId, instance)
                            .path("instance_id")
                            .asText())
                    .isEqualTo(instance);
        }
    }
}
