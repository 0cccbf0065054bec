package io.gpubroker.provider.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs a blocking provider call on a worker thread and comes back to the caller's Vert.x context,
 * where the reactive database session lives (adapters block on HTTP and SSH; the event loop must not).
 */
public final class Blocking {
    private Blocking() {}

    public static <T> Uni<T> run(Supplier<T> work) {
        Context ctx = Vertx.currentContext();
        Uni<T> u = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return ctx == null ? u : u.emitOn(r -> ctx.runOnContext(v -> r.run()));
    }
}
