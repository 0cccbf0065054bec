package io.gpubroker.inventory;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.CatalogIndex;
import io.gpubroker.inventory.catalog.HealthOverlay;
import io.gpubroker.inventory.catalog.Offers;
import io.gpubroker.inventory.rest.InventoryResource.ProviderStatus;
import io.gpubroker.inventory.rest.InventoryResource.SearchResult;
import io.gpubroker.inventory.rest.OfferDetail;
import io.gpubroker.inventory.rest.OfferView;
import io.gpubroker.inventory.rest.SearchJson;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fast search path gives what the plain one gave: {@link SearchJson} writes byte for byte what the
 * REST layer's mapper writes for a {@link SearchResult}, cached searches return what a scan returns at
 * every moment, and {@link OfferDetail} keeps its fields and their order.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SearchJsonTests {
    static final List<String> PROVIDERS = List.of("p-one", "p-two");
    static final long STALE_AFTER = 120_000;
    static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123Z");

    @Inject
    ObjectMapper mapper;

    @Inject
    SearchJson json;

    static NormalisedOffer offer(int i) {
        String provider = PROVIDERS.get(i % 2);
        String[] types = {"RTX 4090", "A100 80GB", "H100 80GB", "L4"};
        String[] locations = {"Zürich, CH", "Quote \"Town\"", "Back\\slash", "Tab\tNew\nline", "東京", "Plain"};
        String[] prices = {"0.45", "100", "0.0000001", "12.3456789", "2.10", "0.3"};
        Double reliability = i % 7 == 0 ? null : 0.5 + (i % 50) / 100.0;
        Double cuda = i % 3 == 0 ? null : 11.8 + (i % 10) / 10.0;
        Integer maxHours = i % 4 == 0 ? null : 24 * (i % 5);
        return Offers.canonical(
                new NormalisedOffer(
                        provider + "-" + i,
                        provider,
                        "n" + i,
                        types[i % types.length],
                        1 + i % 8,
                        24 + i % 3 * 40,
                        new BigDecimal(prices[i % prices.length]),
                        i % 9 == 0 ? null : "USD",
                        locations[i % locations.length],
                        i % 5 == 0 ? null : "CH",
                        reliability,
                        i % 11 != 0,
                        i % 6 == 0 ? null : i % 4,
                        cuda,
                        maxHours,
                        "m" + (i % 13),
                        i % 8 == 0 ? null : 8,
                        64,
                        200,
                        T0,
                        i % 10 == 0 ? null : Map.of("ask_id", "a" + i)),
                T0.minusSeconds(i % 3 == 0 ? 400 : 0));
    }

    static List<NormalisedOffer> offers(int n) {
        List<NormalisedOffer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(offer(i));
        }
        return out;
    }

    /** Offer 5 failed recently, offers 7 and 8 are suppressed until T0 + 60 s and T0 + 90 s. */
    static HealthOverlay health(CatalogIndex index) {
        double[] factor = new double[index.size()];
        long[] until = new long[index.size()];
        for (int p = 0; p < index.size(); p++) {
            String id = index.offer(p).id();
            factor[p] = id.endsWith("-5") ? 0.6 : 1.0;
            until[p] =
                    id.endsWith("-7") ? T0.toEpochMilli() + 60_000 : id.endsWith("-8") ? T0.toEpochMilli() + 90_000 : 0;
        }
        return new HealthOverlay(factor, until);
    }

    static Map<String, ProviderStatus> statuses(long now) {
        Map<String, ProviderStatus> out = new LinkedHashMap<>();
        out.put("p-one", new ProviderStatus("ok", 30, T0, (now - T0.toEpochMilli()) / 1000, false, null, null));
        out.put("p-two", new ProviderStatus("poll_failed", 30, T0, 5L, true, T0.plusSeconds(3), "transient"));
        out.put("p-none", new ProviderStatus("no_data", 0, null, null, false, null, null));
        return out;
    }

    static List<CatalogIndex.Query> queries() {
        List<CatalogIndex.Query> qs = new ArrayList<>();
        qs.add(new CatalogIndex.Query(null, null, null, null, null, null, null, null, null, null, 50, 0));
        qs.add(new CatalogIndex.Query(null, null, null, null, null, null, null, null, null, null, 7, 13));
        qs.add(new CatalogIndex.Query("p-two", null, null, null, null, 2, null, null, null, null, 10, 0));
        qs.add(new CatalogIndex.Query("p-one", "a100", null, null, null, null, null, null, null, null, 5, 1));
        qs.add(new CatalogIndex.Query(null, "RTX 4090", "zürich", null, 50.0, null, 0.6, null, null, null, 20, 0));
        qs.add(new CatalogIndex.Query(null, null, null, 64, null, null, null, null, 12.0, null, 1000, 0));
        qs.add(new CatalogIndex.Query(null, null, null, null, null, null, null, 0.5, null, null, 1000, 0));
        qs.add(new CatalogIndex.Query(null, "h100", null, null, null, null, null, 0.3, null, null, 3, 2));
        qs.add(new CatalogIndex.Query(null, null, "town", null, null, null, null, null, null, null, 50, 0));
        return qs;
    }

    byte[] jackson(CatalogIndex.Page page, CatalogIndex.Query q, Map<String, ProviderStatus> providers)
            throws Exception {
        List<OfferView> views = page.hits().stream().map(OfferView::of).toList();
        return mapper.writeValueAsBytes(new SearchResult(
                views, views.size(), page.total(), q.limit(), q.offset(), CatalogIndex.ORDER, providers));
    }

    @Test
    void searchPagesAreByteForByteWhatTheMapperWritesForASearchResult() throws Exception {
        CatalogIndex index = CatalogIndex.build(offers(120), PROVIDERS);
        for (HealthOverlay health : new HealthOverlay[] {null, health(index)}) {
            for (long now : new long[] {T0.toEpochMilli(), T0.toEpochMilli() + 61_000, T0.toEpochMilli() + 3_600_000}) {
                for (CatalogIndex.Query q : queries()) {
                    CatalogIndex.Page page = index.search(q, health, now, STALE_AFTER);
                    for (int round = 0; round < 2; round++) { // the second round writes from the kept per-offer bytes
                        String fast = new String(
                                json.write(index, page, q.limit(), q.offset(), statuses(now)), StandardCharsets.UTF_8);
                        assertThat(fast)
                                .as(q + " at " + now)
                                .isEqualTo(new String(jackson(page, q, statuses(now)), StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    @Test
    void everyConfidenceAgeAndFlagIsWrittenAsTheMapperWritesIt() throws Exception {
        CatalogIndex index = CatalogIndex.build(offers(4), PROVIDERS);
        CatalogIndex.Query q =
                new CatalogIndex.Query(null, null, null, null, null, null, null, null, null, null, 1000, 0);
        for (int k = 0; k <= 1000; k++) {
            List<CatalogIndex.Hit> hits = new ArrayList<>();
            for (int p = 0; p < index.size(); p++) {
                hits.add(new CatalogIndex.Hit(
                        p, index.offer(p), k / 1000.0, k * 997L * p, (k + p) % 2 == 0, (k + p) % 3 == 0));
            }
            CatalogIndex.Page page = new CatalogIndex.Page(hits, 1_000_000 + k);
            assertThat(json.write(index, page, q.limit(), q.offset(), statuses(0)))
                    .isEqualTo(jackson(page, q, statuses(0)));
        }
    }

    @Test
    void aCachedSearchAnswersWhatAScanAnswersAsTimePassesAndSuppressionsEnd() {
        CatalogIndex index = CatalogIndex.build(offers(300), PROVIDERS);
        HealthOverlay health = health(index);
        // from before any suppression ends to long after: the freshness part of confidence falls, offers 7 and 8 come
        // back
        for (long dt = -5_000; dt <= 600_000; dt += 2_500) {
            long now = T0.toEpochMilli() + dt;
            for (CatalogIndex.Query q : queries()) {
                for (HealthOverlay h : new HealthOverlay[] {null, health}) {
                    assertThat(index.search(q, h, now, STALE_AFTER))
                            .as(q + " at " + dt)
                            .isEqualTo(index.scan(q, h, now, STALE_AFTER));
                }
            }
        }
        // confidence minimums crossed at arbitrary milliseconds, asked in time order (answered from one fill) and not
        java.util.Random random = new java.util.Random(7);
        long[] times = new long[400];
        for (int i = 0; i < times.length; i++) {
            times[i] = T0.toEpochMilli() - 1_000 + random.nextInt(700_000);
        }
        java.util.Arrays.sort(times, 0, 300);
        for (double min : new double[] {0.16, 0.5, 0.75, 0.8, 0.85}) {
            CatalogIndex.Query q =
                    new CatalogIndex.Query(null, null, null, null, null, null, null, min, null, null, 1000, 0);
            for (long now : times) {
                for (HealthOverlay h : new HealthOverlay[] {null, health}) {
                    assertThat(index.search(q, h, now, STALE_AFTER))
                            .as(min + " at " + now)
                            .isEqualTo(index.scan(q, h, now, STALE_AFTER));
                }
            }
        }
        // a clock that goes back (another request read it earlier) is not answered from a later fill
        long later = T0.toEpochMilli() + 100_000;
        CatalogIndex.Query confident = queries().get(6);
        index.search(confident, health, later, STALE_AFTER);
        assertThat(index.search(confident, health, later - 90_000, STALE_AFTER))
                .isEqualTo(index.scan(confident, health, later - 90_000, STALE_AFTER));
    }

    @Test
    void offerDetailIsTheSearchFormThenTheProvisioningFieldsInTheirOrder() throws Exception {
        CatalogIndex index = CatalogIndex.build(offers(12), PROVIDERS);
        long now = T0.toEpochMilli() + 5_000;
        for (int p = 0; p < index.size(); p++) {
            CatalogIndex.Hit h = index.hit(p, health(index), now, STALE_AFTER);
            NormalisedOffer o = h.offer();
            // the fields and order of the former OfferDetail record, one by one
            Map<String, Object> want = new LinkedHashMap<>();
            want.put("id", o.id());
            want.put("provider", o.provider());
            want.put("provider_id", o.providerId());
            want.put("gpu_type", o.gpuType());
            want.put("gpu_count", o.gpuCount());
            want.put("vram_gb", o.vramGb());
            want.put("price_per_hour", o.pricePerHour());
            want.put("location", o.location());
            want.put("reliability", o.reliability());
            want.put("available", o.available());
            want.put("max_duration_hours", o.maxDurationHours() == null ? 0 : o.maxDurationHours());
            want.put("fetched_at", o.fetchedAt());
            want.put("cuda_version", o.cudaVersion());
            want.put("availability_confidence", h.confidence());
            want.put("age_seconds", h.ageMillis() / 1000);
            want.put("stale", h.stale());
            want.put("currency", o.currency());
            want.put("suppressed", h.suppressed());
            want.put("country", o.country());
            want.put("machine_id", o.machineId());
            want.put("available_count", o.availableCount());
            want.put("vcpus", o.vcpus());
            want.put("ram_gb", o.ramGb());
            want.put("disk_gb", o.diskGb());
            want.put("provisioning", o.provisioning() == null ? Map.of() : o.provisioning());
            assertThat(mapper.writeValueAsString(OfferDetail.of(h))).isEqualTo(mapper.writeValueAsString(want));
        }
    }

    @Test
    void theEndpointAnswersJsonInTheDeclaredFieldOrder() throws Exception {
        String body = given().queryParam("limit", 1)
                .get("/inventory")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .extract()
                .asString();
        JsonNode root = mapper.readTree(body);
        assertThat(names(root)).containsExactly("offers", "count", "total", "limit", "offset", "order", "providers");
        if (root.get("count").asInt() > 0) {
            assertThat(names(root.get("offers").get(0)))
                    .containsExactly(
                            "id",
                            "provider",
                            "provider_id",
                            "gpu_type",
                            "gpu_count",
                            "vram_gb",
                            "price_per_hour",
                            "location",
                            "reliability",
                            "available",
                            "max_duration_hours",
                            "fetched_at",
                            "cuda_version",
                            "availability_confidence",
                            "age_seconds",
                            "stale",
                            "currency",
                            "suppressed");
        }
    }

    static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
