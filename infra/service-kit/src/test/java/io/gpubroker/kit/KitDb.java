package io.gpubroker.kit;

import io.gpubroker.contracts.SessionRequested;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What the service-kit tests share: a sample event, running reactive work on a Vert.x context, reading rows back. */
public final class KitDb {

    private KitDb() {}

    public static SessionRequested requested(String sessionId) {
        return new SessionRequested(
                sessionId,
                "team-kit",
                "vastai-1",
                "vastai",
                "RTX 4090",
                1,
                new BigDecimal("0.45"),
                "USD",
                2,
                "llm",
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /** Runs {@code work} (Hibernate Reactive needs a Vert.x context) and waits for its result. */
    public static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static List<Row> rows(Pool pool, String sql, Object... params) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql)
                .execute(Tuple.from(params))
                .await()
                .indefinitely()
                .forEach(out::add);
        return out;
    }

    public static long count(Pool pool, String sql, Object... params) {
        return rows(pool, sql, params).get(0).getLong(0);
    }
}
