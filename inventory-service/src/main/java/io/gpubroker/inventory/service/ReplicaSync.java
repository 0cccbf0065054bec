package io.gpubroker.inventory.service;

import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.catalog.ProviderCatalog;
import io.gpubroker.inventory.config.InventoryConfig;
import io.gpubroker.inventory.health.OutcomeApplier;
import io.gpubroker.inventory.repository.CatalogRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Keeps this replica's catalog and health overlay complete. Replicas share one consumer group, so
 * each one applies only the snapshots and outcomes of its own partitions; the others' are read here
 * from the tables every replica writes to: a provider whose stored snapshot is later than this
 * replica's is reloaded, a later poll failure is copied, and outcomes written since the last look
 * (less a look-back for late commits) are applied once (ADR 0012).
 */
@ApplicationScoped
public class ReplicaSync {
    private static final Logger LOG = Logger.getLogger(ReplicaSync.class);

    private final CatalogRepository repository;
    private final OfferCatalog catalog;
    private final OutcomeApplier outcomes;
    private final CatalogService service;
    private final InventoryConfig config;
    /** Stored times only (the database's clock), so replicas' clocks need not agree. */
    private volatile Instant outcomesSeenUpTo;

    public ReplicaSync(
            CatalogRepository repository,
            OfferCatalog catalog,
            OutcomeApplier outcomes,
            CatalogService service,
            InventoryConfig config) {
        this.repository = repository;
        this.catalog = catalog;
        this.outcomes = outcomes;
        this.service = service;
        this.config = config;
    }

    @Scheduled(
            every = "${inventory.replicas.sync-every:1s}",
            delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> sync() {
        if (!service.isLoaded()) {
            return Uni.createFrom().voidItem();
        }
        return catalogs()
                .chain(this::newOutcomes)
                .onFailure()
                .invoke(e -> LOG.warnf("replica sync failed (retried at the next tick): %s", e.toString()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    /** Reloads each provider another replica moved on; copies later poll failures. */
    Uni<Void> catalogs() {
        return repository
                .heads()
                .chain(heads -> Multi.createFrom()
                        .iterable(heads)
                        .filter(h -> catalog.providers().contains(h.provider()))
                        .onItem()
                        .transformToUniAndConcatenate(this::follow)
                        .collect()
                        .last()
                        .replaceWithVoid());
    }

    private Uni<Void> follow(ProviderCatalog stored) {
        ProviderCatalog mine = catalog.provider(stored.provider());
        if (ProviderCatalog.later(stored.pollFailedAt(), mine.pollFailedAt())) {
            catalog.markPollFailed(
                    stored.provider(), stored.pollFailedAt(), stored.pollErrorClass(), stored.pollErrorMessage());
        }
        if (!ProviderCatalog.later(stored.snapshotFetchedAt(), mine.snapshotFetchedAt())) {
            return Uni.createFrom().voidItem();
        }
        return repository
                .loadProvider(stored.provider())
                .invoke(loaded -> {
                    if (catalog.replaceIfNewer(loaded)) {
                        LOG.infof(
                                "snapshot %s of %s (applied by another replica) loaded: %d offers",
                                loaded.snapshotId(),
                                loaded.provider(),
                                loaded.offers().size());
                    }
                })
                .replaceWithVoid();
    }

    /** Applies outcomes other replicas stored since the last look; this replica's own are skipped by id. */
    Uni<Void> newOutcomes(Void ignored) {
        Instant since = outcomesSeenUpTo == null
                ? Instant.now().minus(OutcomeApplier.REMEMBER)
                : outcomesSeenUpTo.minus(config.replicas().lookBack());
        return repository.outcomesRecordedSince(since).invoke(this::applyAll).replaceWithVoid();
    }

    private void applyAll(List<CatalogRepository.Outcome> stored) {
        int fresh = 0;
        for (CatalogRepository.Outcome o : stored) {
            if (outcomes.apply(o)) {
                fresh++;
            }
            if (outcomesSeenUpTo == null || o.recordedAt().isAfter(outcomesSeenUpTo)) {
                outcomesSeenUpTo = o.recordedAt();
            }
        }
        if (fresh > 0) {
            LOG.debugf("%d provisioning outcomes stored by other replicas applied", fresh);
        }
    }
}
