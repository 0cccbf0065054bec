package io.gpubroker.inventory.health;

import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.inventory.repository.CatalogRepository.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies each provisioning outcome to {@link OfferHealth} exactly once per replica, whichever way
 * it arrives: replayed at start, consumed from Kafka by this replica, or read from the table after
 * another replica consumed it (issue #14: replicas share the consumer group, so each one sees only
 * its own partitions on Kafka).
 */
@ApplicationScoped
public class OutcomeApplier {
    /** Ids are kept well past the sync's look-back so an outcome read twice still counts once. */
    public static final Duration REMEMBER = Duration.ofMinutes(10);

    private final OfferHealth health;
    private final OfferCatalog catalog;
    private final Map<String, Long> applied = new HashMap<>();
    private long lastPrune = System.nanoTime();

    public OutcomeApplier(OfferHealth health, OfferCatalog catalog) {
        this.health = health;
        this.catalog = catalog;
    }

    /** Applies {@code o} unless this replica already did; true when it was new here. */
    public boolean apply(Outcome o) {
        if (!firstTime(o.eventId())) {
            return false;
        }
        if (o.failed()) {
            health.failure(o.provider(), o.offerId(), o.machineId(), o.gpuType(), o.errorClass(), o.occurredAt());
        } else {
            health.success(o.provider(), o.offerId(), o.machineId(), o.gpuType());
        }
        catalog.refreshHealth();
        return true;
    }

    private synchronized boolean firstTime(String eventId) {
        long now = System.nanoTime();
        if (now - lastPrune > REMEMBER.toNanos() / 10) {
            applied.values().removeIf(at -> now - at > REMEMBER.toNanos());
            lastPrune = now;
        }
        return applied.putIfAbsent(eventId, now) == null;
    }
}
