package io.gpubroker.inventory;

import static org.awaitility.Awaitility.await;

import io.gpubroker.inventory.catalog.OfferCatalog;
import java.time.Duration;

/** Waits for the service to have applied a snapshot and rebuilt its index. */
final class Catalogs {
    private Catalogs() {}

    static void awaitApplied(OfferCatalog catalog, String provider, String snapshotId) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> snapshotId.equals(catalog.provider(provider).snapshotId())
                        && catalog.view().version() >= catalog.changes());
    }
}
