package io.gpubroker.kit.purge;

import io.gpubroker.kit.purge.PurgeRepository.Table;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps the inbox ({@code processed_messages}) and the outbox bounded: every
 * {@code broker.purge.every} (default 10 min) rows older than their retention are deleted in
 * bounded batches. Safe with N replicas: each batch holds an advisory lock, so replicas take turns.
 */
@ApplicationScoped
public class Purger {
    private static final Logger LOG = Logger.getLogger(Purger.class);

    private final PurgeRepository repository;
    private final PurgeConfig config;

    public Purger(PurgeRepository repository, PurgeConfig config) {
        this.repository = repository;
        this.config = config;
    }

    @Scheduled(
            identity = "broker-purge",
            every = "${broker.purge.every:10m}",
            delayed = "${broker.purge.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge().onFailure()
                .invoke(t -> LOG.warnf("purge failed: %s", t.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** One run over both tables; returns the rows deleted per table. */
    public Uni<Map<Table, Integer>> purge() {
        return purge(
                        Table.PROCESSED_MESSAGES,
                        config.processedMessagesRetention().toSeconds())
                .chain(inbox -> purge(Table.OUTBOX, config.outboxRetention().toSeconds())
                        .map(outbox -> {
                            if (inbox + outbox > 0) {
                                LOG.infof("purged %d processed-message ids and %d outbox rows", inbox, outbox);
                            }
                            return Map.of(Table.PROCESSED_MESSAGES, inbox, Table.OUTBOX, outbox);
                        }));
    }

    private Uni<Integer> purge(Table table, long retentionSeconds) {
        return batches(table, retentionSeconds, 0, 0);
    }

    private Uni<Integer> batches(Table table, long retentionSeconds, int done, int total) {
        if (done >= config.maxBatches()) {
            return Uni.createFrom().item(total);
        }
        return repository
                .deleteBatch(table, retentionSeconds, config.batchSize())
                .chain(n -> n < config.batchSize()
                        // a short batch means nothing older is left; -1: another replica holds the lock
                        ? Uni.createFrom().item(total + Math.max(n, 0))
                        : batches(table, retentionSeconds, done + 1, total + n));
    }
}
