package io.gpubroker.inventory.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.gpubroker.contracts.BrokerEvent;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.OfferPollFailed;
import io.gpubroker.contracts.OfferPriceChanged;
import io.gpubroker.contracts.OfferPublished;
import io.gpubroker.contracts.OfferSnapshotPage;
import io.gpubroker.contracts.OfferWithdrawn;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.catalog.Offers;
import io.gpubroker.inventory.catalog.ProviderCatalog;
import io.gpubroker.inventory.catalog.SnapshotAssembler;
import io.gpubroker.inventory.config.InventoryConfig;
import io.gpubroker.inventory.health.OfferHealth;
import io.gpubroker.inventory.repository.CatalogRepository;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Applies provider snapshots to the catalog. A complete snapshot is diffed against the provider's
 * current catalog; only the differences are written — new offers ({@code OfferPublished}), price
 * changes ({@code OfferPriceChanged}), offers no longer listed ({@code OfferWithdrawn}), other
 * changed fields (row update, no event) — together with their outbox rows in ONE transaction.
 * Memory is updated only after that commit. A failed poll withdraws nothing.
 */
@ApplicationScoped
public class CatalogService {
    private static final Logger LOG = Logger.getLogger(CatalogService.class);
    static final String AGGREGATE = "offer";

    /** What one applied snapshot changed. */
    public record Applied(String provider, int offers, int published, int priceChanged, int updated, int withdrawn) {
    }

    private final Mutiny.SessionFactory sessions;
    private final CatalogRepository repository;
    private final OutboxWriter outbox;
    private final OfferCatalog catalog;
    private final OfferHealth health;
    private final BrokerClock.Scaled clock;
    private final SnapshotAssembler assembler;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    public CatalogService(Mutiny.SessionFactory sessions, CatalogRepository repository, OutboxWriter outbox,
                          OfferCatalog catalog, OfferHealth health, BrokerClock.Scaled clock, InventoryConfig config) {
        this.sessions = sessions;
        this.repository = repository;
        this.outbox = outbox;
        this.catalog = catalog;
        this.health = health;
        this.clock = clock;
        this.assembler = new SnapshotAssembler(config.snapshot().assemblyTimeout());
    }

    /** Loads the durable catalog and the recent provisioning history before anything is served or ingested. */
    void onStart(@Observes StartupEvent ev) {
        long t0 = System.currentTimeMillis();
        Map<String, ProviderCatalog> stored = repository.loadAll().await().indefinitely();
        stored.forEach((p, c) -> {
            if (catalog.providers().contains(p)) {
                catalog.replace(c);
            }
        });
        List<Row> outcomes = repository.outcomesSince(clock.instant().minus(health.replayHorizon())).await().indefinitely();
        for (Row r : outcomes) {
            Instant at = r.getOffsetDateTime(6).toInstant();
            if ("failed".equals(r.getString(0))) {
                health.failure(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), at);
            } else {
                health.success(r.getString(1), r.getString(2), r.getString(3), r.getString(4));
            }
        }
        loaded.complete(null);
        LOG.infof("catalog loaded: %d offers of %d providers, %d provisioning outcomes replayed in %d ms",
                stored.values().stream().mapToInt(c -> c.offers().size()).sum(), stored.size(), outcomes.size(),
                System.currentTimeMillis() - t0);
    }

    public boolean isLoaded() {
        return loaded.isDone();
    }

    /** Takes one snapshot page; applies the snapshot when this page completes it. */
    public Uni<Applied> page(OfferSnapshotPage page) {
        return Uni.createFrom().completionStage(loaded).chain(() -> {
            ProviderCatalog current = catalog.provider(page.provider());
            if (current.snapshotFetchedAt() != null && !page.fetchedAt().isAfter(current.snapshotFetchedAt())) {
                return Uni.createFrom().nullItem(); // a redelivered or older snapshot than the one applied
            }
            return assembler.add(page).map(this::apply).orElseGet(() -> Uni.createFrom().nullItem());
        });
    }

    private Uni<Applied> apply(SnapshotAssembler.Complete snap) {
        ProviderCatalog current = catalog.provider(snap.provider());
        Instant now = clock.instant();
        Map<String, NormalisedOffer> next = new HashMap<>(snap.offers().size() * 2);
        for (NormalisedOffer o : snap.offers()) {
            next.put(o.id(), Offers.canonical(o, snap.fetchedAt()));
        }
        List<NormalisedOffer> writes = new ArrayList<>();
        List<BrokerEvent> events = new ArrayList<>();
        int published = 0;
        int priceChanged = 0;
        int updated = 0;
        for (NormalisedOffer o : next.values()) {
            NormalisedOffer old = current.offers().get(o.id());
            if (old == null) {
                writes.add(o);
                events.add(new OfferPublished(o.id(), o.provider(), o.providerId(), o.gpuType(), o.gpuCount(), o.vramGb(),
                        o.pricePerHour(), o.currency(), o.location(), now));
                published++;
            } else if (!Offers.sameContent(old, o)) {
                writes.add(o);
                if (old.pricePerHour().compareTo(o.pricePerHour()) != 0) {
                    events.add(new OfferPriceChanged(o.id(), o.provider(), o.gpuType(), old.pricePerHour(), o.pricePerHour(),
                            o.currency(), now));
                    priceChanged++;
                } else {
                    updated++;
                }
            }
        }
        List<String> withdrawn = new ArrayList<>();
        for (String id : current.offers().keySet()) {
            if (!next.containsKey(id)) {
                withdrawn.add(id);
                events.add(new OfferWithdrawn(id, snap.provider(), "missing_from_snapshot", now));
            }
        }
        Applied result = new Applied(snap.provider(), next.size(), published, priceChanged, updated, withdrawn.size());
        return sessions.withTransaction((db, tx) -> repository.upsert(db, writes)
                        .chain(() -> repository.delete(db, withdrawn))
                        .chain(() -> repository.snapshotApplied(db, snap.provider(), snap.snapshotId(), snap.fetchedAt(), next.size()))
                        .chain(() -> outbox.appendAll(db, AGGREGATE, events)))
                .map(ignored -> {
                    // the poll-failure facts stay until a later snapshot supersedes them (status() compares times)
                    catalog.replace(new ProviderCatalog(snap.provider(), next, snap.snapshotId(), snap.fetchedAt(),
                            current.pollFailedAt(), current.pollErrorClass(), current.pollErrorMessage()));
                    LOG.infof("snapshot %s of %s applied: %s", snap.snapshotId(), snap.provider(), result);
                    return result;
                });
    }

    /** A failed poll: remember it (the offers stay and keep ageing). */
    public Uni<Void> pollFailed(OfferPollFailed failed) {
        return Uni.createFrom().completionStage(loaded)
                .chain(() -> sessions.withTransaction((db, tx) -> repository.pollFailed(db, failed.provider(), failed.attemptedAt(),
                        failed.errorClass(), failed.message())))
                .invoke(() -> catalog.markPollFailed(failed.provider(), failed.attemptedAt(), failed.errorClass(), failed.message()));
    }

    /** Published outbox rows are on Kafka already; keep a day for inspection. */
    @Scheduled(every = "1h", delayed = "1m")
    Uni<Void> purgeOutbox() {
        return sessions.withTransaction((db, tx) -> outbox.purgeOlderThan(db, 24)).replaceWithVoid();
    }
}
