package io.gpubroker.session.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.Requirements;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A requirements search's ranking: cheapest per GPU-hour first, ties by reliability, only what the requirements allow. */
class OfferRankingTests {

    static Offer offer(String id, String provider, int gpus, String price, Double reliability, String location) {
        return new Offer(
                id,
                provider,
                id,
                "A100 80GB",
                gpus,
                80,
                new BigDecimal(price),
                location,
                true,
                false,
                Instant.now(),
                null,
                "m-" + id,
                Map.of(),
                false,
                reliability);
    }

    static Requirements req(List<String> providers, List<String> exclude, List<String> locations) {
        return new Requirements(
                "A100", null, null, null, null, null, null, null, null, locations, null, providers, exclude, null);
    }

    @Test
    void cheapestPerGpuHourFirstThenTheMoreReliable() {
        List<Offer> ranked = OfferFinder.rank(
                List.of(
                        offer("one-gpu", "rackrr", 1, "1.50", 0.99, "US"),
                        offer("two-gpus", "vastai", 2, "2.40", 0.90, "US"), // 1.20 per GPU-hour
                        offer("tie-less-reliable", "tensordock", 1, "1.20", 0.80, "US"),
                        offer("tie-unknown", "barrack", 1, "1.20", null, "US")),
                req(null, null, null));
        assertThat(ranked)
                .extracting(Offer::id)
                .containsExactly("two-gpus", "tie-less-reliable", "tie-unknown", "one-gpu");
    }

    @Test
    void providersExclusionsAndLocationsFilterAndEachOfferCountsOnce() {
        List<Offer> offers = List.of(
                offer("v", "vastai", 1, "1.00", 0.9, "Texas, US"),
                offer("v", "vastai", 1, "1.00", 0.9, "Texas, US"), // found by two searches
                offer("t", "tensordock", 1, "0.90", 0.9, "Frankfurt, DE"),
                offer("r", "rackrr", 1, "0.80", 0.9, "Oslo, NO"),
                offer("b", "barrack", 1, "0.70", 0.9, "Virginia, US"));
        assertThat(OfferFinder.rank(offers, req(List.of("vastai", "tensordock"), null, null)))
                .extracting(Offer::id)
                .containsExactly("t", "v");
        assertThat(OfferFinder.rank(offers, req(null, List.of("barrack", "rackrr"), null)))
                .extracting(Offer::id)
                .containsExactly("t", "v");
        assertThat(OfferFinder.rank(offers, req(null, null, List.of("us", "de"))))
                .extracting(Offer::id)
                .containsExactly("b", "t", "v");
    }

    @Test
    void unavailableStaleAndSuppressedOffersAreNeverCandidates() {
        Offer ok = offer("ok", "vastai", 1, "2.00", 0.9, "US");
        Offer gone = new Offer(
                "gone",
                "vastai",
                "g",
                "A100",
                1,
                80,
                BigDecimal.ONE,
                "US",
                false,
                false,
                null,
                null,
                null,
                null,
                false);
        Offer stale = new Offer(
                "stale", "vastai", "s", "A100", 1, 80, BigDecimal.ONE, "US", true, true, null, null, null, null, false);
        Offer suppressed = new Offer(
                "sup", "vastai", "s", "A100", 1, 80, BigDecimal.ONE, "US", true, false, null, null, null, null, true);
        assertThat(OfferFinder.rank(List.of(gone, stale, suppressed, ok), req(null, null, null)))
                .extracting(Offer::id)
                .containsExactly("ok");
    }

    @Test
    void requirementsListsCombineWithTheirSingles() {
        Requirements r = new Requirements(
                "H100",
                List.of("A100", "H100"),
                null,
                null,
                null,
                null,
                null,
                null,
                "EU",
                List.of("US"),
                null,
                List.of("vastai", "rackrr", "trooper"),
                List.of("trooper"),
                true);
        assertThat(r.gpuTypesWanted()).containsExactly("H100", "A100");
        assertThat(r.locationsWanted()).containsExactly("eu", "us");
        assertThat(r.providersAllowed()).containsExactly("vastai", "rackrr");
        assertThat(r.providerOk("trooper")).isFalse();
        assertThat(r.providerOk("barrack")).isFalse();
        assertThat(r.providerOk("rackrr")).isTrue();
        Requirements any = req(null, List.of("barrack"), null);
        assertThat(any.providerOk("vastai")).isTrue();
        assertThat(any.providerOk("barrack")).isFalse();
    }
}
