package io.gpubroker.session.service;

import java.math.BigDecimal;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.gpubroker.contracts.ProvisionFailed;
import io.gpubroker.session.client.InventoryClient;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Session;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Auto-retry: after a stale offer or a failed create, find a comparable offer (same GPU, same VRAM
 * or any, within a price factor, cheapest first, never the offer or host that just failed).
 */
@ApplicationScoped
public class RetryPlanner {
    private static final Logger LOG = Logger.getLogger(RetryPlanner.class);
    static final Set<String> RETRYABLE = Set.of("stale_inventory", "no_capacity", "price_changed", "transient", "rate_limited");
    /**
     * Failures of a host that was created but did not verify: another host may well work. An app
     * that fails its first inference is usually the host's CUDA/driver (offers overstate it).
     */
    public static final Set<String> RETRYABLE_AFTER_DESTROY = Set.of("host_mismatch", "verify_timeout", "instance_failed",
            "app_inference_failed");

    private final InventoryClient inventory;
    private final SessionConfig cfg;
    private final Mutiny.SessionFactory db;

    public RetryPlanner(@RestClient InventoryClient inventory, SessionConfig cfg, Mutiny.SessionFactory db) {
        this.inventory = inventory;
        this.cfg = cfg;
        this.db = db;
    }

    /** The next offer to try after a failed create, or null (no retry wanted or nothing comparable). */
    public Uni<Offer> plan(ProvisionFailed f) {
        if (!RETRYABLE.contains(f.errorClass())) {
            return Uni.createFrom().nullItem();
        }
        return plan(f.sessionId(), f.machineId());
    }

    /** The next offer after a host failed verification and was destroyed; null when none or not wanted. */
    public Uni<Offer> planAfterDestroy(Session failed) {
        if (failed.startedAt != null || failed.errorClass == null || !RETRYABLE_AFTER_DESTROY.contains(failed.errorClass)) {
            return Uni.createFrom().nullItem();
        }
        return plan(failed.id, failed.machineId);
    }

    private Uni<Offer> plan(String sessionId, String failedMachineId) {
        return db.withSession(s -> s.find(Session.class, sessionId)).chain(s -> {
            if (s == null || !s.autoRetry || s.retryCount >= s.maxRetries) {
                return Uni.createFrom().nullItem();
            }
            boolean entrypoint = "entrypoint".equals(s.launchMode);
            BigDecimal max = s.pricePerHour.multiply(BigDecimal.valueOf(cfg.retryPriceFactor()));
            String gpu = "any".equals(s.retryScope) || "same_vram".equals(s.retryScope) ? null : s.gpuType;
            Integer vram = "any".equals(s.retryScope) ? null : s.vramGb;
            return inventory.search(gpu, vram, s.gpuCount, max.toPlainString(), 20)
                    .map(page -> page.offers().stream()
                            .filter(o -> !o.id().equals(s.offerId) && o.available() && !o.stale() && !o.suppressed())
                            .filter(o -> o.machineId() == null || !o.machineId().equals(failedMachineId))
                            .filter(o -> !entrypoint || cfg.app().portProviders().contains(o.provider()))
                            .min(java.util.Comparator.comparing(Offer::pricePerHour))
                            .orElseGet(() -> {
                                LOG.infof("no retry for %s: no other available offer (gpu=%s, vram=%s, count=%d, max %s/h) among %d",
                                        s.id, gpu, vram, s.gpuCount, max.toPlainString(), page.offers().size());
                                return null;
                            }))
                    // the listing leaves out how to provision an offer: the detail has it
                    .chain(o -> o == null ? Uni.createFrom().<Offer>nullItem() : inventory.offer(o.id()))
                    .onFailure().recoverWithItem(e -> {
                        LOG.warnf("no retry for %s: inventory unavailable (%s)", s.id, e.getMessage());
                        return null;
                    });
        });
    }
}
