package io.gpubroker.inventory.catalog;

import io.gpubroker.contracts.NormalisedOffer;
import java.time.Instant;
import java.util.Map;

/**
 * One provider's part of the catalog: the offers of its last applied complete snapshot, and the
 * last failed poll if any (the offers stay; their age shows how old they are).
 */
public record ProviderCatalog(
        String provider,
        Map<String, NormalisedOffer> offers,
        String snapshotId,
        Instant snapshotFetchedAt,
        Instant pollFailedAt,
        String pollErrorClass,
        String pollErrorMessage) {

    public static ProviderCatalog none(String provider) {
        return new ProviderCatalog(provider, Map.of(), null, null, null, null, null);
    }

    /** {@code ok}, {@code poll_failed} (serving the last good catalog) or {@code no_data}. */
    public String status() {
        if (pollFailedAt != null && (snapshotFetchedAt == null || pollFailedAt.isAfter(snapshotFetchedAt))) {
            return "poll_failed";
        }
        return snapshotFetchedAt == null ? "no_data" : "ok";
    }

    /**
     * True when {@code a} is a later time than {@code b} (null: never). Stored times have microseconds
     * and a snapshot's own may have nanoseconds, so a millisecond apart is needed to count as later.
     */
    public static boolean later(Instant a, Instant b) {
        return a != null && (b == null || a.isAfter(b.plusMillis(1)));
    }

    public ProviderCatalog withOffers(Map<String, NormalisedOffer> offers) {
        return new ProviderCatalog(
                provider, offers, snapshotId, snapshotFetchedAt, pollFailedAt, pollErrorClass, pollErrorMessage);
    }

    public ProviderCatalog withPollFailure(Instant at, String errorClass, String message) {
        return new ProviderCatalog(provider, offers, snapshotId, snapshotFetchedAt, at, errorClass, message);
    }
}
