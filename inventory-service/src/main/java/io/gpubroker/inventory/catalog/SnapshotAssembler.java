package io.gpubroker.inventory.catalog;

import io.gpubroker.contracts.MalformedEventException;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.contracts.OfferSnapshotPage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the pages of provider snapshots until one is complete. A snapshot is applied only when
 * every page 1..pages arrived, so a half-delivered snapshot never withdraws anything. A newer
 * snapshot of the same provider supersedes an incomplete older one; redelivered pages count once;
 * assemblies that never complete are dropped after {@code timeout}. Pages live in memory only: a
 * restart mid-snapshot loses them and the provider's next poll (seconds later) replaces it.
 */
public final class SnapshotAssembler {

    /** A complete snapshot, ready to apply. */
    public record Complete(String snapshotId, String provider, Instant fetchedAt, List<NormalisedOffer> offers) {}

    private static final class Assembly {
        final String provider;
        final Instant fetchedAt;
        final int pages;
        final int totalOffers;
        final Map<Integer, List<NormalisedOffer>> received = new HashMap<>();
        final long startedNanos = System.nanoTime();

        Assembly(OfferSnapshotPage p) {
            provider = p.provider();
            fetchedAt = p.fetchedAt();
            pages = p.pages();
            totalOffers = p.totalOffers();
        }
    }

    private final Map<String, Assembly> open = new HashMap<>();
    private final Duration timeout;

    public SnapshotAssembler(Duration timeout) {
        this.timeout = timeout;
    }

    /** Adds {@code page}; returns the snapshot if this page completed it. */
    public synchronized Optional<Complete> add(OfferSnapshotPage page) {
        expire();
        for (NormalisedOffer o : page.offers()) {
            if (!page.provider().equals(o.provider())) {
                throw new MalformedEventException("offer " + o.id() + " of provider " + o.provider()
                        + " in a snapshot page of " + page.provider());
            }
        }
        Assembly a = open.get(page.snapshotId());
        if (a == null) {
            // a newer snapshot of this provider makes older incomplete ones pointless
            for (Iterator<Map.Entry<String, Assembly>> it = open.entrySet().iterator(); it.hasNext(); ) {
                Assembly other = it.next().getValue();
                if (other.provider.equals(page.provider())) {
                    if (!other.fetchedAt.isBefore(page.fetchedAt())) {
                        return Optional.empty(); // a page of an older snapshot than one in progress
                    }
                    it.remove();
                }
            }
            a = new Assembly(page);
            open.put(page.snapshotId(), a);
        } else if (a.pages != page.pages() || !a.provider.equals(page.provider())) {
            throw new MalformedEventException("page " + page.page() + " of snapshot " + page.snapshotId()
                    + " disagrees with its first page on provider or page count");
        }
        a.received.put(page.page(), page.offers());
        if (a.received.size() < a.pages) {
            return Optional.empty();
        }
        open.remove(page.snapshotId());
        List<NormalisedOffer> all = new ArrayList<>(Math.max(a.totalOffers, 16));
        for (int i = 1; i <= a.pages; i++) {
            all.addAll(a.received.get(i));
        }
        if (a.totalOffers > 0 && all.size() != a.totalOffers) {
            throw new MalformedEventException("snapshot " + page.snapshotId() + " announced " + a.totalOffers
                    + " offers but its pages carry " + all.size());
        }
        return Optional.of(new Complete(page.snapshotId(), a.provider, a.fetchedAt, all));
    }

    public synchronized int openAssemblies() {
        return open.size();
    }

    private void expire() {
        long now = System.nanoTime();
        open.values().removeIf(a -> now - a.startedNanos > timeout.toNanos());
    }
}
