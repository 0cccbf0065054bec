package io.gpubroker.kit.outbox;

import static io.gpubroker.kit.KitDb.await;
import static io.gpubroker.kit.KitDb.count;
import static io.gpubroker.kit.KitDb.requested;
import static io.gpubroker.kit.KitDb.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpubroker.contracts.EventCatalog;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.Test;

/** The outbox writer against the real PostgreSQL: the row Debezium publishes, transactions, bulk appends, purge. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class OutboxWriterTests {

    @Inject
    OutboxWriter outbox;

    @Inject
    Mutiny.SessionFactory sessions;

    @Inject
    Pool pool;

    @Test
    void anAppendedEventIsOneRowWithItsCatalogTopicVersionAndAJsonObjectPayload() {
        SessionRequested event = requested("sess-" + UUID.randomUUID());
        UUID id = await(() -> sessions.withTransaction(s -> outbox.append(s, "session", event)));

        List<Row> found = rows(
                pool,
                "select aggregatetype, aggregateid, type, version, topic, jsonb_typeof(payload) as kind,"
                        + " payload::text as payload from kit_test.outbox where id = $1",
                id);
        assertThat(found).hasSize(1);
        Row row = found.get(0);
        EventCatalog.Entry entry = EventCatalog.entryOf(event);
        assertThat(row.getString("aggregatetype")).isEqualTo("session");
        assertThat(row.getString("aggregateid")).isEqualTo(event.sessionId());
        assertThat(row.getString("type")).isEqualTo("SessionRequested");
        assertThat(row.getInteger("version")).isEqualTo(entry.version());
        assertThat(row.getString("topic")).isEqualTo(entry.topic());
        // an object, not a JSON string holding the object (double-encoded JSON on Kafka)
        assertThat(row.getString("kind")).isEqualTo("object");
        assertThat(EventCatalog.fromJson("SessionRequested", row.getString("payload")))
                .isEqualTo(event);
    }

    @Test
    void aRolledBackTransactionLeavesNoOutboxRow() {
        SessionRequested event = requested("sess-" + UUID.randomUUID());
        assertThatThrownBy(() -> await(() -> sessions.withTransaction(s -> outbox.append(s, "session", event)
                        .chain(id -> Uni.createFrom().failure(new IllegalStateException("the state change failed"))))))
                .hasMessageContaining("the state change failed");

        assertThat(count(pool, "select count(*) from kit_test.outbox where aggregateid = $1", event.sessionId()))
                .isZero();
    }

    @Test
    void appendAllBelowTheBulkThresholdReturnsTheIdsInEventOrder() {
        assertAppendsInOrder(3);
    }

    @Test
    void appendAllAboveTheBulkThresholdWritesEveryEventInOrderWithTheSameRowShape() {
        assertAppendsInOrder(600);
    }

    private void assertAppendsInOrder(int n) {
        String prefix = "bulk-" + UUID.randomUUID() + "-";
        List<SessionRequested> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(requested(prefix + i));
        }
        List<UUID> ids = await(() -> sessions.withTransaction(s -> outbox.appendAll(s, "session", events)));

        assertThat(ids).hasSize(n).doesNotHaveDuplicates();
        Map<UUID, Row> byId = new HashMap<>();
        for (Row r : rows(
                pool,
                "select id, aggregatetype, aggregateid, type, version, topic, jsonb_typeof(payload) as kind,"
                        + " payload::text as payload from kit_test.outbox where aggregateid like $1",
                prefix + "%")) {
            byId.put(r.getUUID("id"), r);
        }
        assertThat(byId).hasSize(n);
        EventCatalog.Entry entry = EventCatalog.entryOf(events.get(0));
        for (int i = 0; i < n; i++) {
            Row r = byId.get(ids.get(i));
            assertThat(r.getString("aggregateid")).isEqualTo(events.get(i).sessionId());
            assertThat(r.getString("aggregatetype")).isEqualTo("session");
            assertThat(r.getString("type")).isEqualTo("SessionRequested");
            assertThat(r.getInteger("version")).isEqualTo(entry.version());
            assertThat(r.getString("topic")).isEqualTo(entry.topic());
            assertThat(r.getString("kind")).isEqualTo("object");
            assertThat(EventCatalog.fromJson("SessionRequested", r.getString("payload")))
                    .isEqualTo(events.get(i));
        }
    }

    @Test
    void purgeDeletesRowsOlderThanTheGivenHoursAndKeepsNewerOnes() {
        SessionRequested old = requested("sess-" + UUID.randomUUID());
        SessionRequested fresh = requested("sess-" + UUID.randomUUID());
        UUID oldId = await(() -> sessions.withTransaction(s -> outbox.append(s, "session", old)));
        UUID freshId = await(() -> sessions.withTransaction(s -> outbox.append(s, "session", fresh)));
        rows(pool, "update kit_test.outbox set created_at = now() - interval '3 hours' where id = $1", oldId);

        int deleted = await(() -> sessions.withTransaction(s -> outbox.purgeOlderThan(s, 2)));

        assertThat(deleted).isGreaterThanOrEqualTo(1);
        assertThat(count(pool, "select count(*) from kit_test.outbox where id = $1", oldId))
                .isZero();
        assertThat(count(pool, "select count(*) from kit_test.outbox where id = $1", freshId))
                .isEqualTo(1);
    }

    @Test
    void aSchemaNameThatIsNotAnIdentifierIsRefused() {
        assertThatThrownBy(() -> new OutboxWriter("kit; drop table x")).isInstanceOf(IllegalArgumentException.class);
    }
}
