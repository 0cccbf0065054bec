package io.gpubroker.kit.outbox;

import static io.gpubroker.kit.KitDb.await;
import static io.gpubroker.kit.KitDb.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.testkit.BrokerTestProfile;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The outbox slot gauges against the real PostgreSQL: a pgoutput slot nobody reads is reported
 * inactive, with the WAL written after it was created as its lag.
 */
@QuarkusTest
@TestProfile(OutboxSlotMetricsTests.SlotsOn.class)
class OutboxSlotMetricsTests {

    /** The kit's test profile with the slot gauges turned on (as session-service has them). */
    public static class SlotsOn extends BrokerTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            java.util.Map<String, String> m = new java.util.HashMap<>(super.getConfigOverrides());
            m.put("broker.metrics.outbox-slots", "true");
            return m;
        }
    }

    @Inject
    OutboxSlotMetrics metrics;

    @Inject
    MeterRegistry registry;

    @Inject
    Pool pool;

    @Test
    void anUnreadSlotIsInactiveAndLagsByTheWalWrittenSince() {
        String slot = "kit_slot_" + UUID.randomUUID().toString().substring(0, 8);
        rows(pool, "select pg_create_logical_replication_slot($1, 'pgoutput')", slot);
        try {
            // WAL after the slot's position: rows nobody has read from it
            rows(
                    pool,
                    "insert into kit_test.outbox (id, aggregatetype, aggregateid, type, topic, payload)"
                            + " select gen_random_uuid(), 'test', $1, 'Marker', 'test.events', '{}'::jsonb"
                            + " from generate_series(1, 200)",
                    slot);
            await(() -> metrics.refresh());
            double lag = registry.get("gpu_outbox_slot_lag_bytes")
                    .tag("slot", slot)
                    .gauge()
                    .value();
            double active = registry.get("gpu_outbox_slot_active")
                    .tag("slot", slot)
                    .gauge()
                    .value();
            assertThat(lag).isGreaterThan(10_000);
            assertThat(active).isZero();
        } finally {
            rows(pool, "select pg_drop_replication_slot($1)", slot);
            rows(pool, "delete from kit_test.outbox where aggregateid = $1", slot);
        }
        await(() -> metrics.refresh());
        assertThat(registry.find("gpu_outbox_slot_lag_bytes").tag("slot", slot).gauges())
                .as("a dropped slot's series goes")
                .isEmpty();
    }
}
