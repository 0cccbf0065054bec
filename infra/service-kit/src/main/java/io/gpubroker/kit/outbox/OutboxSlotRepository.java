package io.gpubroker.kit.outbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Reads the logical replication slots Debezium's outbox connectors use (pgoutput), from {@code pg_replication_slots}. */
@ApplicationScoped
public class OutboxSlotRepository {
    /** One slot: whether a connector reads it, and the WAL it has not confirmed yet (bytes). */
    public record Slot(String name, boolean active, double lagBytes) {}

    private final Pool pool;

    public OutboxSlotRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Slot>> slots() {
        return pool.query("select slot_name, active,"
                        + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::float8"
                        + " from pg_replication_slots where plugin = 'pgoutput' and database = current_database()")
                .execute()
                .map(rows -> {
                    List<Slot> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Slot(r.getString(0), r.getBoolean(1), r.getDouble(2)));
                    }
                    return out;
                });
    }
}
