package io.gpubroker.inventory.catalog;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.config.InventoryConfig;
import io.gpubroker.inventory.health.OfferHealth;
import io.gpubroker.kit.clock.BrokerClock;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The live catalog in memory: per provider its last good offers, and the search index built from
 * all of them. Searches read one immutable {@link View}; ingest replaces a provider's catalog and
 * asks for a rebuild, done on one background thread (coalesced), so requests never wait for it.
 */
@ApplicationScoped
public class OfferCatalog {
    private static final Logger LOG = Logger.getLogger(OfferCatalog.class);

    /** What a search sees: one index and the health overlay computed for it. */
    public record View(CatalogIndex index, HealthOverlay health, long version) {}

    private final List<String> providers;
    private final OfferHealth health;
    private final BrokerClock.Scaled clock;
    private final Map<String, ProviderCatalog> catalogs = new ConcurrentHashMap<>();
    private final ExecutorService rebuilder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "catalog-index");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private volatile View view;
    private volatile long changes;

    public OfferCatalog(InventoryConfig config, OfferHealth health, BrokerClock.Scaled clock) {
        this.providers = List.copyOf(config.providers());
        this.health = health;
        this.clock = clock;
        providers.forEach(p -> catalogs.put(p, ProviderCatalog.none(p)));
        this.view = new View(CatalogIndex.empty(providers), null, 0);
    }

    public List<String> providers() {
        return providers;
    }

    public View view() {
        return view;
    }

    public ProviderCatalog provider(String name) {
        return catalogs.get(name);
    }

    public Map<String, ProviderCatalog> catalogs() {
        return Map.copyOf(catalogs);
    }

    /** The offer with {@code id} as last applied (independent of index rebuild lag). */
    public NormalisedOffer find(String id) {
        for (ProviderCatalog c : catalogs.values()) {
            NormalisedOffer o = c.offers().get(id);
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    /** Replaces one provider's catalog and schedules an index rebuild. */
    public void replace(ProviderCatalog catalog) {
        catalogs.put(catalog.provider(), catalog);
        changes++;
        requestRebuild();
    }

    /**
     * Replaces one provider's catalog with a stored one another replica applied, unless this replica
     * already holds the same or a later snapshot; true when it replaced.
     */
    public synchronized boolean replaceIfNewer(ProviderCatalog stored) {
        ProviderCatalog mine = catalogs.get(stored.provider());
        if (mine == null || !ProviderCatalog.later(stored.snapshotFetchedAt(), mine.snapshotFetchedAt())) {
            return false;
        }
        boolean myFailureIsLater =
                mine.pollFailedAt() != null && !ProviderCatalog.later(stored.pollFailedAt(), mine.pollFailedAt());
        replace(
                myFailureIsLater
                        ? stored.withPollFailure(mine.pollFailedAt(), mine.pollErrorClass(), mine.pollErrorMessage())
                        : stored);
        return true;
    }

    /** Updates poll-failure facts only: no offer changes, no rebuild. */
    public void markPollFailed(String provider, Instant at, String errorClass, String message) {
        catalogs.computeIfPresent(provider, (k, c) -> c.withPollFailure(at, errorClass, message));
    }

    /** Counts rebuilds asked for; tests and the benchmark wait until the view caught up. */
    public long changes() {
        return changes;
    }

    void requestRebuild() {
        if (rebuildPending.compareAndSet(false, true)) {
            rebuilder.execute(this::rebuild);
        }
    }

    private void rebuild() {
        rebuildPending.set(false);
        long target = changes;
        try {
            long t0 = System.nanoTime();
            List<NormalisedOffer> all = new ArrayList<>();
            catalogs.values().forEach(c -> all.addAll(c.offers().values()));
            CatalogIndex index = CatalogIndex.build(all, providers);
            synchronized (this) {
                view = new View(index, health.overlay(index, clock.instant()), target);
            }
            LOG.debugf("catalog index rebuilt: %d offers in %d ms", index.size(), (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.error("catalog index rebuild failed; searches keep the previous index", e);
        }
    }

    /**
     * Re-projects provisioning health onto the current index (after an outcome, and as failures age out).
     * An unchanged projection keeps the current view, and with it what searches cached for it.
     */
    public synchronized void refreshHealth() {
        View v = view;
        HealthOverlay next = health.overlay(v.index(), clock.instant());
        if (next == null ? v.health() == null : next.sameAs(v.health())) {
            return;
        }
        view = new View(v.index(), next, v.version());
    }

    @Scheduled(every = "10s", delayed = "10s")
    void ageHealth() {
        refreshHealth();
    }

    @PreDestroy
    void stop() {
        rebuilder.shutdownNow();
    }
}
