package io.gpubroker.inventory.service;

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
import io.gpubroker.inventory.health.OutcomeApplier;
import io.gpubroker.inventory.repository.CatalogRepository;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.outbox.OutboxWriter;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    public record Applied(String provider, int offers, int published, int priceChanged, int updated, int withdrawn) {}

    private final Mutiny.SessionFactory sessions;
    private final CatalogRepository repository;
    private final OutboxWriter outbox;
    private final OfferCatalog catalog;
    private final OfferHealth health;
    private final BrokerClock.Scaled clock;
    private final SnapshotAssembler assembler;
    private final OutcomeApplier outcomeApplier;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    public CatalogService(
            Mutiny.SessionFactory sessions,
            CatalogRepository repository,
            OutboxWriter outbox,
            OfferCatalog catalog,
            OfferHealth health,
            BrokerClock.Scaled clock,
            InventoryConfig config,
            OutcomeApplier outcomeApplier) {
        this.outcomeApplier = outcomeApplier;
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
        List<CatalogRepository.Outcome> outcomes = repository
                .outcomesSince(clock.instant().minus(health.replayHorizon()))
                .await()
                .indefinitely();
        outcomes.forEach(outcomeApplier::apply);
        loaded.complete(null);
        LOG.infof(
                "catalog loaded: %d offers of %d providers, %d provisioning outcomes replayed in %d ms",
                stored.values().stream().mapToInt(c -> c.offers().size()).sum(),
                stored.size(),
                outcomes.size(),
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
            return assembler
                    .add(page)
                    .map(this::apply)
                    .orElseGet(() -> Uni.createFrom().nullItem());
        });
    }

    /**
     * Applies a complete snapshot. The provider's stored head is locked first, so replicas applying
     * snapshots of one provider take turns, and the diff is against what is stored: a replica whose
     * memory another replica overtook (a partition moved) loads the stored catalog before diffing,
     * so no offer is published twice and none is missed.
     */
    private Uni<Applied> apply(SnapshotAssembler.Complete snap) {
        String provider = snap.provider();
        return sessions.withTransaction((db, tx) -> repository
                        .lockHead(db, provider)
                        .chain(stored -> baseline(provider, stored))
                        .chain(current -> {
                            if (current.snapshotFetchedAt() != null
                                    && (!snap.fetchedAt().isAfter(current.snapshotFetchedAt())
                                            || snap.snapshotId().equals(current.snapshotId()))) {
                                return Uni.createFrom().<Diff>nullItem(); // applied already, here or by another replica
                            }
                            Diff d = diff(current, snap);
                            return repository
                                    .upsert(db, d.writes())
                                    .chain(() -> repository.delete(db, d.withdrawn()))
                                    .chain(() -> repository.snapshotApplied(
                                            db,
                                            provider,
                                            snap.snapshotId(),
                                            snap.fetchedAt(),
                                            d.next().size()))
                                    .chain(() -> outbox.appendAll(db, AGGREGATE, d.events()))
                                    .replaceWith(d);
                        }))
                .map(d -> {
                    if (d == null) {
                        return null;
                    }
                    // the poll-failure facts stay until a later snapshot supersedes them (status() compares times)
                    ProviderCatalog current = catalog.provider(provider);
                    catalog.replace(new ProviderCatalog(
                            provider,
                            d.next(),
                            snap.snapshotId(),
                            snap.fetchedAt(),
                            current.pollFailedAt(),
                            current.pollErrorClass(),
                            current.pollErrorMessage()));
                    LOG.infof("snapshot %s of %s applied: %s", snap.snapshotId(), provider, d.result());
                    return d.result();
                });
    }

    /** The catalog to diff against: this replica's memory, or the stored one when another replica moved it on. */
    private Uni<ProviderCatalog> baseline(String provider, Instant storedFetchedAt) {
        ProviderCatalog memory = catalog.provider(provider);
        if (!ProviderCatalog.later(storedFetchedAt, memory.snapshotFetchedAt())) {
            return Uni.createFrom().item(memory);
        }
        return repository.loadProvider(provider).invoke(stored -> {
            LOG.infof(
                    "catalog of %s was moved on by another replica (snapshot %s): diffing against it",
                    provider, stored.snapshotId());
            catalog.replaceIfNewer(stored);
        });
    }

    /** What a snapshot changes against {@code current}: rows to write, ids to delete, events. */
    record Diff(
            Map<String, NormalisedOffer> next,
            List<NormalisedOffer> writes,
            List<String> withdrawn,
            List<BrokerEvent> events,
            Applied result) {}

    private Diff diff(ProviderCatalog current, SnapshotAssembler.Complete snap) {
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
                events.add(new OfferPublished(
                        o.id(),
                        o.provider(),
                        o.providerId(),
                        o.gpuType(),
                        o.gpuCount(),
                        o.vramGb(),
                        o.pricePerHour(),
                        o.currency(),
                        o.location(),
                        now));
                published++;
            } else if (!Offers.sameContent(old, o)) {
                writes.add(o);
                if (old.pricePerHour().compareTo(o.pricePerHour()) != 0) {
                    events.add(new OfferPriceChanged(
                            o.id(),
                            o.provider(),
                            o.gpuType(),
                            old.pricePerHour(),
                            o.pricePerHour(),
                            o.currency(),
                            now));
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
        return new Diff(
                next,
                writes,
                withdrawn,
                events,
                new Applied(snap.provider(), next.size(), published, priceChanged, updated, withdrawn.size()));
    }

    /** A failed poll: remember it (the offers stay and keep ageing). */
    public Uni<Void> pollFailed(OfferPollFailed failed) {
        return Uni.createFrom()
                .completionStage(loaded)
                .chain(() -> sessions.withTransaction((db, tx) -> repository.pollFailed(
                        db, failed.provider(), failed.attemptedAt(), failed.errorClass(), failed.message())))
                .invoke(() -> catalog.markPollFailed(
                        failed.provider(), failed.attemptedAt(), failed.errorClass(), failed.message()));
    }

    /** Published outbox rows are on Kafka already; keep a day for inspection. */
    @Scheduled(every = "1h", delayed = "1m")
    Uni<Void> purgeOutbox() {
        return sessions.withTransaction((db, tx) -> outbox.purgeOlderThan(db, 24))
                .replaceWithVoid();
    }
}
