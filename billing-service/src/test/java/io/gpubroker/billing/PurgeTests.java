package io.gpubroker.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.kit.purge.PurgeRepository;
import io.gpubroker.kit.purge.Purger;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The inbox and outbox purge (service-kit) on the real PostgreSQL: rows past their retention
 * (7 days / 1 day by default, measured on the database clock) go, newer rows stay, batches are
 * bounded, and a replica that finds another one purging leaves the table alone.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class PurgeTests {
    @Inject
    Purger purger;

    @Inject
    PurgeRepository repository;

    private final String consumer = "purge-test-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void rowsOlderThanTheRetentionGoAndNewerOnesStay() throws Exception {
        try (Connection c = db()) {
            processed(c, "old", "8 days");
            processed(c, "recent", "6 days");
            UUID oldEvent = outbox(c, "2 days");
            UUID newEvent = outbox(c, "1 hour");

            purger.purge().await().atMost(Duration.ofSeconds(30));

            assertThat(count(
                            c,
                            "select count(*) from billing.processed_messages where consumer = ? and event_id = 'old'",
                            consumer))
                    .isZero();
            assertThat(count(
                            c,
                            "select count(*) from billing.processed_messages where consumer = ? and event_id = 'recent'",
                            consumer))
                    .isOne();
            assertThat(count(c, "select count(*) from billing.outbox where id = cast(? as uuid)", oldEvent.toString()))
                    .isZero();
            assertThat(count(c, "select count(*) from billing.outbox where id = cast(? as uuid)", newEvent.toString()))
                    .isOne();
        }
    }

    @Test
    void oneBatchDeletesAtMostItsSize() throws Exception {
        try (Connection c = db()) {
            for (int i = 0; i < 3; i++) {
                processed(c, "batch-" + i, "30 days");
            }
            int deleted = repository
                    .deleteBatch(
                            PurgeRepository.Table.PROCESSED_MESSAGES,
                            Duration.ofDays(7).toSeconds(),
                            2)
                    .await()
                    .atMost(Duration.ofSeconds(30));
            assertThat(deleted).isEqualTo(2);
            assertThat(count(c, "select count(*) from billing.processed_messages where consumer = ?", consumer))
                    .isOne();
        }
    }

    @Test
    void aTableAnotherReplicaIsPurgingIsLeftAlone() throws Exception {
        try (Connection c = db();
                Connection other = db()) {
            processed(c, "locked", "9 days");
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "gpubroker.purge.billing.processed_messages");
                lock.execute();
                int deleted = repository
                        .deleteBatch(
                                PurgeRepository.Table.PROCESSED_MESSAGES,
                                Duration.ofDays(7).toSeconds(),
                                100)
                        .await()
                        .atMost(Duration.ofSeconds(30));
                assertThat(deleted).isEqualTo(-1);
                assertThat(count(c, "select count(*) from billing.processed_messages where consumer = ?", consumer))
                        .isOne();
            } finally {
                other.rollback();
            }
            assertThat(repository
                            .deleteBatch(
                                    PurgeRepository.Table.PROCESSED_MESSAGES,
                                    Duration.ofDays(7).toSeconds(),
                                    100)
                            .await()
                            .atMost(Duration.ofSeconds(30)))
                    .isPositive();
            assertThat(count(c, "select count(*) from billing.processed_messages where consumer = ?", consumer))
                    .isZero();
        }
    }

    private static Connection db() throws Exception {
        var pg = TestStack.get().postgres();
        return pg.connect(pg.database());
    }

    private void processed(Connection c, String eventId, String age) throws Exception {
        try (PreparedStatement st = c.prepareStatement(
                "insert into billing.processed_messages (consumer, event_id, event_type, processed_at)"
                        + " values (?, ?, 'PurgeTest', clock_timestamp() - cast(? as interval))")) {
            st.setString(1, consumer);
            st.setString(2, eventId);
            st.setString(3, age);
            st.executeUpdate();
        }
    }

    private static UUID outbox(Connection c, String age) throws Exception {
        UUID id = UUID.randomUUID();
        // a topic no consumer reads: Debezium may publish the row, nobody acts on it
        try (PreparedStatement st = c.prepareStatement(
                "insert into billing.outbox (id, aggregatetype, aggregateid, type, topic, payload, created_at)"
                        + " values (cast(? as uuid), 'purge-test', ?, 'PurgeTest', 'purge.test', '{}'::jsonb, clock_timestamp() - cast(? as interval))")) {
            st.setString(1, id.toString());
            st.setString(2, id.toString());
            st.setString(3, age);
            st.executeUpdate();
        }
        return id;
    }

    private static long count(Connection c, String sql, String arg) throws Exception {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
