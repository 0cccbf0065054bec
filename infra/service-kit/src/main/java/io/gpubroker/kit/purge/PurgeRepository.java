package io.gpubroker.kit.purge;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Deletes one batch of expired inbox or outbox rows of this service's schema. Age is measured on
 * the database clock ({@code clock_timestamp()}), like the rows' own timestamps, never on the broker
 * clock (which a scaled local stack runs faster than wall time).
 */
@ApplicationScoped
public class PurgeRepository {
    /** A table whose rows expire and the column holding their age. */
    public enum Table {
        PROCESSED_MESSAGES("processed_messages", "processed_at"),
        OUTBOX("outbox", "created_at");

        final String name;
        final String column;

        Table(String name, String column) {
            this.name = name;
            this.column = column;
        }
    }

    private final Pool pool;
    private final String schema;

    public PurgeRepository(Pool pool, @ConfigProperty(name = "broker.db.schema") String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad schema name " + schema);
        }
        this.pool = pool;
        this.schema = schema;
    }

    /**
     * Deletes up to {@code batch} rows of {@code table} older than {@code retentionSeconds}, in one
     * transaction that first takes a per-schema advisory lock: when another replica is purging the
     * same table right now this one deletes nothing (returns -1) instead of competing for the rows.
     */
    public Uni<Integer> deleteBatch(Table table, long retentionSeconds, int batch) {
        String qualified = schema + "." + table.name;
        String sql = "with doomed as (select ctid from " + qualified + " where " + table.column
                + " < clock_timestamp() - make_interval(secs => $1) limit $2)"
                + " delete from " + qualified + " where ctid in (select ctid from doomed)";
        return pool.withTransaction(conn -> conn.preparedQuery("select pg_try_advisory_xact_lock(hashtext($1))")
                .execute(Tuple.of("gpubroker.purge." + qualified))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return r.getBoolean(0);
                })
                .chain(locked -> !locked
                        ? Uni.createFrom().item(-1)
                        : conn.preparedQuery(sql)
                                .execute(Tuple.of((double) retentionSeconds, batch))
                                .map(rows -> rows.rowCount())));
    }
}
