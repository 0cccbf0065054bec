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
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Auto-retry's search: a comparable offer (same GPU, same VRAM or any, within a price factor,
 * cheapest first, never the offer or host that just failed). Whether to retry at all is the saga's call.
 */
@ApplicationScoped
public class RetryPlanner {
    private static final Logger LOG = Logger.getLogger(RetryPlanner.class);

    private final InventoryClient inventory;
    private final SessionConfig cfg;

    public RetryPlanner(@RestClient InventoryClient inventory, SessionConfig cfg) {
        this.inventory = inventory;
        this.cfg = cfg;
    }

    /** The offer to move {@code s} to after {@code failedMachineId} failed it; null when none (or inventory is down). */
    public Uni<Offer> nextOffer(Session s, String failedMachineId) {
        boolean entrypoint = s.terms.launchMode == LaunchMode.entrypoint;
        BigDecimal max = s.offer.pricePerHour.multiply(BigDecimal.valueOf(cfg.retryPriceFactor()));
        String gpu = s.terms.retryScope == RetryScope.any || s.terms.retryScope == RetryScope.same_vram
                ? null
                : s.offer.gpuType;
        Integer vram = s.terms.retryScope == RetryScope.any ? null : s.offer.vramGb;
        return inventory
                .search(gpu, vram, s.offer.gpuCount, max.toPlainString(), 20)
                .map(page -> page.offers().stream()
                        .filter(o -> !o.id().equals(s.offer.offerId) && o.available() && !o.stale() && !o.suppressed())
                        .filter(o -> o.machineId() == null || !o.machineId().equals(failedMachineId))
                        .filter(o -> !entrypoint || cfg.app().portProviders().contains(o.provider()))
                        .min(java.util.Comparator.comparing(Offer::pricePerHour))
                        .orElseGet(() -> {
                            LOG.infof(
                                    "no retry for %s: no other available offer (gpu=%s, vram=%s, count=%d, max %s/h) among %d",
                                    s.id,
                                    gpu,
                                    vram,
                                    s.offer.gpuCount,
                                    max.toPlainString(),
                                    page.offers().size());
                            return null;
                        }))
                // the listing leaves out how to provision an offer: the detail has it
                .chain(o -> o == null ? Uni.createFrom().<Offer>nullItem() : inventory.offer(o.id()))
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.warnf("no retry for %s: inventory unavailable (%s)", s.id, e.getMessage());
                    return null;
                });
    }
}
