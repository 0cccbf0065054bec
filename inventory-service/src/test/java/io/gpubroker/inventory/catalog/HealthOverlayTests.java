package io.gpubroker.inventory.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.config.InventoryConfig;
import io.gpubroker.inventory.health.OfferHealth;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The health overlay gives each offer the factor and suppression its own keys say (offer, machine,
 * provider + GPU type, as {@code GET /offer-health} lists them), including awkward ids: provider
 * names that prefix each other, colons in machine ids, GPU types in mixed case, blank machines.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class HealthOverlayTests {
    static final List<String> PROVIDERS = List.of("px", "px:y", "qz");
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @Inject
    InventoryConfig config;

    static List<NormalisedOffer> offers() {
        String[] machines = {"m1", "y:m1", "m2", "", null, "M1"};
        String[] gpus = {"RTX 4090", "rtx 4090", "A100 80GB", "L4"};
        List<NormalisedOffer> out = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            String p = PROVIDERS.get(i % 3);
            out.add(new NormalisedOffer(
                    p + "-" + i,
                    p,
                    "n" + i,
                    gpus[(i / 3) % 4],
                    1,
                    24,
                    new BigDecimal("0.5"),
                    "USD",
                    "Here",
                    "US",
                    0.9,
                    true,
                    1,
                    null,
                    null,
                    machines[(i / 3) % machines.length],
                    8,
                    64,
                    200,
                    T0,
                    Map.of()));
        }
        return out;
    }

    @Test
    void eachOfferGetsTheFactorAndSuppressionOfItsOwnKeys() {
        List<NormalisedOffer> offers = offers();
        Random random = new Random(42);
        int suppressedSeen = 0;
        int penalisedSeen = 0;
        for (int round = 0; round < 5; round++) {
            OfferHealth health = new OfferHealth(config);
            Instant at = T0;
            for (int e = 0; e < 60; e++) {
                NormalisedOffer o = offers.get(random.nextInt(offers.size()));
                at = at.plusMillis(random.nextInt(400));
                if (random.nextInt(10) == 0) {
                    health.success(o.provider(), o.id(), o.machineId(), o.gpuType());
                } else {
                    health.failure(
                            o.provider(),
                            random.nextInt(3) == 0 ? o.id() : null,
                            o.machineId(),
                            o.gpuType(),
                            "stale_inventory",
                            at);
                }
            }
            CatalogIndex index = CatalogIndex.build(offers, PROVIDERS);
            Instant now = at.plusSeconds(1);
            HealthOverlay overlay = health.overlay(index, now);
            assertThat(overlay).isNotNull();
            Map<String, OfferHealth.KeyView> keys = new HashMap<>();
            health.view(now).forEach(k -> keys.put(k.scope() + ":" + k.key(), k));
            for (int p = 0; p < index.size(); p++) {
                NormalisedOffer o = index.offer(p);
                double factor = 1.0;
                long until = 0;
                List<Object[]> own = new ArrayList<>(); // {key, penalty} in the order the factor multiplies
                own.add(new Object[] {OfferHealth.offerKey(o.id()), 0.6});
                if (o.machineId() != null && !o.machineId().isBlank()) {
                    own.add(new Object[] {OfferHealth.machineKey(o.provider(), o.machineId()), 0.8});
                }
                own.add(new Object[] {OfferHealth.gpuTypeKey(o.provider(), o.gpuType()), 0.9});
                for (Object[] k : own) {
                    OfferHealth.KeyView v = keys.get((String) k[0]);
                    if (v != null) {
                        factor *= Math.pow((double) k[1], v.recentFailures());
                        if (v.suppressed()) {
                            until = Math.max(until, v.suppressedUntil().toEpochMilli());
                        }
                    }
                }
                assertThat(overlay.factor[p])
                        .as(o.id() + " / " + o.machineId() + " / " + o.gpuType())
                        .isEqualTo(factor);
                boolean suppressed = overlay.suppressedUntil[p] > now.toEpochMilli();
                suppressedSeen += suppressed ? 1 : 0;
                penalisedSeen += factor < 1 ? 1 : 0;
                assertThat(suppressed).as(o.id()).isEqualTo(until > now.toEpochMilli());
                if (suppressed) {
                    assertThat(overlay.suppressedUntil[p]).isEqualTo(until);
                    assertThat(overlay.nextSuppressionEndAfter(now.toEpochMilli()))
                            .isLessThanOrEqualTo(until);
                }
            }
        }
        assertThat(suppressedSeen).isPositive();
        assertThat(penalisedSeen).isPositive();
    }

    @Test
    void anUnchangedHistoryGivesTheSameOverlayAndAnyChangeANewOne() {
        List<NormalisedOffer> offers = offers();
        CatalogIndex index = CatalogIndex.build(offers, PROVIDERS);
        OfferHealth health = new OfferHealth(config);
        NormalisedOffer o = offers.get(3);
        health.failure(o.provider(), o.id(), o.machineId(), o.gpuType(), "stale_inventory", T0);
        HealthOverlay first = health.overlay(index, T0.plusSeconds(1));
        assertThat(health.overlay(index, T0.plusSeconds(2))).isSameAs(first);
        health.failure(o.provider(), null, "m2", o.gpuType(), "stale_inventory", T0.plusSeconds(2));
        HealthOverlay second = health.overlay(index, T0.plusSeconds(3));
        assertThat(second).isNotSameAs(first);
        assertThat(health.overlay(CatalogIndex.build(offers, PROVIDERS), T0.plusSeconds(3)))
                .isNotSameAs(second);
        // the failures leave the window: nothing is active any more
        assertThat(health.overlay(index, T0.plus(health.window()).plusSeconds(10)))
                .isNull();
    }
}
