package io.gpubroker.sim.trooper;

import io.gpubroker.sim.core.GpuCatalog;
import io.vertx.core.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The live blibs (current price and capacity) and the published snapshot the API serves. The
 * snapshot is rebuilt lazily once it is older than {@code trooper.offers-refresh}, so it can
 * advertise capacity or prices that are already gone (stale inventory), and a 20,000-blib catalog
 * costs one encode per refresh, not one per request.
 */
final class BlibCatalog {

    /** Which rendering of the list: anonymous (public only), with a token (incl. private), private endpoint. */
    enum Variant {
        PUBLIC,
        ALL,
        PRIVATE
    }

    private final TrooperSettings settings;
    private final long seed;
    private final Map<Integer, Blib> live = new LinkedHashMap<>();
    private final Random drift;
    private List<TrooperJson.BlibView> snapshot = List.of();
    private List<TrooperJson.BlibView> snapshotPlain = List.of();
    private final Map<Variant, String> encoded = new LinkedHashMap<>();
    private Instant snapshotAt;

    BlibCatalog(TrooperSettings settings, long seed) {
        this.settings = settings;
        this.seed = seed;
        this.drift = new Random(seed ^ 0x7200_7e12L);
        reset();
    }

    void reset() {
        live.clear();
        List<GpuCatalog.OfferSeed> seeds = GpuCatalog.generate(seed, settings.offers);
        int firstPrivate = seeds.size() - Math.min(settings.privateOffers, seeds.size() / 4);
        for (GpuCatalog.OfferSeed s : seeds) {
            int id = s.index() + 1;
            live.put(id, new Blib(id, s, s.index() < firstPrivate, settings.capacityPerBlib, settings.eurPerUsd));
        }
        snapshotAt = null;
    }

    Blib get(int id) {
        return live.get(id);
    }

    Iterable<Blib> all() {
        return live.values();
    }

    /** The served list as JSON, rebuilding the snapshot when it is older than the refresh interval. */
    String render(Variant variant, Instant now) {
        if (snapshotAt == null || Duration.between(snapshotAt, now).compareTo(settings.offersRefresh) >= 0) {
            refresh(now);
        }
        return encoded.computeIfAbsent(variant, v -> {
            List<TrooperJson.BlibView> src = v == Variant.PRIVATE ? snapshotPlain : snapshot;
            if (v == Variant.PUBLIC) {
                List<TrooperJson.BlibView> pub = new ArrayList<>(src.size());
                for (TrooperJson.BlibView b : src) {
                    if (b.isPublic() == 1) {
                        pub.add(b);
                    }
                }
                src = pub;
            }
            return Json.encode(src);
        });
    }

    void refresh(Instant now) {
        List<TrooperJson.BlibView> full = new ArrayList<>(live.size());
        List<TrooperJson.BlibView> plain = new ArrayList<>(live.size());
        for (Blib b : live.values()) {
            full.add(b.view(true));
            plain.add(b.view(false));
        }
        snapshot = full;
        snapshotPlain = plain;
        encoded.clear();
        snapshotAt = now;
    }

    /** One random-walk step: a fraction of the blibs move their price by up to ±step. */
    int driftPrices() {
        int changed = 0;
        for (Blib b : live.values()) {
            if (drift.nextDouble() < settings.priceDriftFraction) {
                changeBy(b, (drift.nextDouble() * 2 - 1) * settings.priceDriftStep);
                changed++;
            }
        }
        return changed;
    }

    /** Moves one blib's price by {@code relative} (at least one cent, so the echo check notices). */
    void changeBy(Blib b, double relative) {
        double next = GpuCatalog.round(b.priceH * (1 + relative), 2);
        if (next == b.priceH) {
            next = GpuCatalog.round(b.priceH + (relative >= 0 ? 0.01 : -0.01), 2);
        }
        double old = b.priceH;
        b.priceH = Math.max(0.05, next);
        if (b.priceH == old) {
            b.priceH = GpuCatalog.round(old + 0.01, 2);
        }
    }
}
