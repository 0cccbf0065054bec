package io.gpubroker.session.service;

import io.gpubroker.session.client.InventoryClient;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.RetryScope;
import io.gpubroker.session.domain.Session;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Failover's search: for a session from requirements, the next match of its requirements; for one
 * from an offer, a comparable offer (same GPU, same VRAM or any, within a price factor, cheapest per
 * GPU-hour first). Never an offer already tried or the machine that just failed, and only one the
 * consumer's budget covers. Whether to fail over at all is the saga's call.
 */
@ApplicationScoped
public class RetryPlanner {
    private static final Logger LOG = Logger.getLogger(RetryPlanner.class);

    private final InventoryClient inventory;
    private final OfferFinder finder;
    private final SessionConfig cfg;

    public RetryPlanner(@RestClient InventoryClient inventory, OfferFinder finder, SessionConfig cfg) {
        this.inventory = inventory;
        this.finder = finder;
        this.cfg = cfg;
    }

    /**
     * The offer to move {@code s} to after {@code failedMachineId} failed it, never one of {@code tried},
     * only one the consumer's policy {@code allowed}; null when none (or inventory is down).
     */
    public Uni<Offer> nextOffer(Session s, String failedMachineId, Set<String> tried, Predicate<Offer> allowed) {
        boolean entrypoint = s.terms.launchMode == LaunchMode.entrypoint;
        Uni<List<Offer>> ranked = s.terms.requirements != null ? finder.matching(s.terms.requirements) : comparable(s);
        return ranked.map(list -> list.stream()
                        .filter(o -> !entrypoint || cfg.app().portProviders().contains(o.provider()))
                        .toList())
                .chain(list -> finder.firstAffordable(
                                list, tried, failedMachineId, allowed, s.consumerId, s.terms.reservationHours)
                        .map(p -> {
                            if (p.offer() == null) {
                                LOG.infof(
                                        "no failover for %s: %d matching offers, %d looked at, %d refused by the budget%s",
                                        s.id,
                                        list.size(),
                                        p.looked(),
                                        p.refusedByBudget(),
                                        p.lastRefusal() == null ? "" : " (last: " + p.lastRefusal() + ")");
                            }
                            return p.offer();
                        }))
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("no failover for %s: inventory unavailable (%s)", s.id, e.getMessage());
                    return null;
                });
    }

    /** Offers comparable to the session's current one, cheapest per GPU-hour first. */
    private Uni<List<Offer>> comparable(Session s) {
        BigDecimal max = s.offer.pricePerHour.multiply(BigDecimal.valueOf(cfg.retryPriceFactor()));
        String gpu = s.terms.retryScope == RetryScope.any || s.terms.retryScope == RetryScope.same_vram
                ? null
                : s.offer.gpuType;
        Integer vram = s.terms.retryScope == RetryScope.any ? null : s.offer.vramGb;
        return inventory
                .search(
                        null,
                        gpu,
                        null,
                        vram,
                        s.offer.gpuCount,
                        max.toPlainString(),
                        null,
                        null,
                        null,
                        cfg.failover().searchLimit())
                .map(page -> page.offers().stream()
                        .filter(Offer::usable)
                        .sorted(Comparator.comparing(Offer::pricePerGpuHour).thenComparing(Offer::id))
                        .toList());
    }
}
