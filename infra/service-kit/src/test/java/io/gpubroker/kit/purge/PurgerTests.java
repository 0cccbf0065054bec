package io.gpubroker.kit.purge;

import static io.gpubroker.kit.KitDb.await;
import static io.gpubroker.kit.KitDb.count;
import static io.gpubroker.kit.KitDb.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The purge job against the real PostgreSQL: rows past their retention go, newer ones stay, replicas take turns. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class PurgerTests {

    @Inject
    Purger purger;

    @Inject
    PurgeRepository repository;

    @Inject
    Pool pool;

    private static final double HOUR = 3600;
    private static final double DAY = 24 * HOUR;

    private void processed(String eventId, double ageSeconds) {
        rows(
                pool,
                "insert into kit_test.processed_messages (consumer, event_id, event_type, processed_at)"
                        + " values ('kit-purge', $1, 'SessionRequested', clock_timestamp() - make_interval(secs => $2))",
                eventId,
                ageSeconds);
    }

    private void outboxRow(String aggregateId, double ageSeconds) {
        rows(
                pool,
                "insert into kit_test.outbox (id, aggregatetype, aggregateid, type, topic, payload, created_at)"
                        + " values (gen_random_uuid(), 'test', $1, 'Marker', 'test.events', '{}'::jsonb,"
                        + " clock_timestamp() - make_interval(secs => $2))",
                aggregateId,
                ageSeconds);
    }

    @Test
    void rowsPastTheirRetentionAreDeletedAndNewerOnesKept() {
        String run = UUID.randomUUID().toString();
        // defaults: processed-message ids kept 7 days, outbox rows 1 day
        processed(run + "-old", 8 * DAY);
        processed(run + "-new", 6 * DAY);
        outboxRow(run + "-old", 25 * HOUR);
        outboxRow(run + "-new", 23 * HOUR);

        Map<PurgeRepository.Table, Integer> deleted = await(() -> purger.purge());

        assertThat(deleted.get(PurgeRepository.Table.PROCESSED_MESSAGES)).isGreaterThanOrEqualTo(1);
        assertThat(deleted.get(PurgeRepository.Table.OUTBOX)).isGreaterThanOrEqualTo(1);
        assertThat(count(pool, "select count(*) from kit_test.processed_messages where event_id = $1", run + "-old"))
                .isZero();
        assertThat(count(pool, "select count(*) from kit_test.processed_messages where event_id = $1", run + "-new"))
                .isEqualTo(1);
        assertThat(count(pool, "select count(*) from kit_test.outbox where aggregateid = $1", run + "-old"))
                .isZero();
        assertThat(count(pool, "select count(*) from kit_test.outbox where aggregateid = $1", run + "-new"))
                .isEqualTo(1);
    }

    @Test
    void aBatchDeletesNothingWhileAnotherReplicaHoldsTheTablesLock() {
        String run = UUID.randomUUID().toString();
        outboxRow(run + "-old", 2 * DAY);
        SqlConnection other = pool.getConnection().await().indefinitely();
        Transaction tx = other.begin().await().indefinitely();
        try {
            other.preparedQuery("select pg_advisory_xact_lock(hashtext($1))")
                    .execute(Tuple.of("gpubroker.purge.kit_test.outbox"))
                    .await()
                    .indefinitely();

            assertThat(await(() -> repository.deleteBatch(PurgeRepository.Table.OUTBOX, 3600, 100)))
                    .isEqualTo(-1);
            assertThat(count(pool, "select count(*) from kit_test.outbox where aggregateid = $1", run + "-old"))
                    .isEqualTo(1);
        } finally {
            tx.rollback().await().indefinitely();
            other.close().await().indefinitely();
        }
        assertThat(await(() -> repository.deleteBatch(PurgeRepository.Table.OUTBOX, 3600, 100)))
                .isGreaterThanOrEqualTo(1);
        assertThat(count(pool, "select count(*) from kit_test.outbox where aggregateid = $1", run + "-old"))
                .isZero();
    }
}
