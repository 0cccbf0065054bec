package io.gpubroker.inventory.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;

/** The last template list fetched from provider-gateway (one row), served while a refresh fails. */
@ApplicationScoped
public class TemplateCacheRepository {
    /** The stored list as JSON text and when it was fetched. */
    public record Stored(String body, Instant fetchedAt) {}

    private final Pool pool;

    public TemplateCacheRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<Stored>> load() {
        return pool.query("select body::text, fetched_at from inventory.template_cache where id = 1")
                .execute()
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.empty();
                    }
                    Row r = it.next();
                    return Optional.of(
                            new Stored(r.getString(0), r.getOffsetDateTime(1).toInstant()));
                });
    }

    public Uni<Void> store(String body, Instant fetchedAt) {
        return pool.preparedQuery("insert into inventory.template_cache (id, body, fetched_at)"
                        + " values (1, cast(cast($1 as text) as jsonb), $2)"
                        + " on conflict (id) do update set body = excluded.body, fetched_at = excluded.fetched_at")
                .execute(Tuple.of(body, CatalogRepository.odt(fetchedAt)))
                .replaceWithVoid();
    }
}
