package io.gpubroker.inventory;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.OfferCatalog;
import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every filter of GET /inventory against a known catalog of two test providers (300 offers from the
 * simulators' catalog, all in "Zedland" locations no real offer has), compared with the same filter
 * written here in plain Java, in the documented order; and every bad value answered with a 400.
 */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SearchFilterTests {
    static final String B = "testcloud-b";
    static final String C = "testcloud-c";
    static final String ZED = "Zedland-";
    static List<NormalisedOffer> offers;

    @Inject
    OfferCatalog catalog;

    @BeforeEach
    void catalog() {
        if (offers != null) {
            return;
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<NormalisedOffer> b = Feed.fromCatalog(B, 7, 150, ZED, at);
        List<NormalisedOffer> c = new ArrayList<>(Feed.fromCatalog(C, 8, 150, ZED, at));
        // a few offers without reliability or CUDA version, and one of several providers' worth
        c.replaceAll(o -> o.providerId().endsWith("x3") || o.providerId().endsWith("x4")
                ? new NormalisedOffer(
                        o.id(),
                        o.provider(),
                        o.providerId(),
                        o.gpuType(),
                        o.gpuCount(),
                        o.vramGb(),
                        o.pricePerHour(),
                        o.currency(),
                        o.location(),
                        o.country(),
                        null,
                        o.available(),
                        o.availableCount(),
                        12.8,
                        o.maxDurationHours(),
                        o.machineId(),
                        o.vcpus(),
                        o.ramGb(),
                        o.diskGb(),
                        o.fetchedAt(),
                        o.provisioning())
                : o);
        Catalogs.awaitApplied(catalog, B, Feed.snapshot(B, at, b, 40));
        Catalogs.awaitApplied(catalog, C, Feed.snapshot(C, at, c, 40));
        List<NormalisedOffer> all = new ArrayList<>(b);
        all.addAll(c);
        offers = all;
    }

    /** The documented order: price per GPU-hour asc, reliability desc (missing last), id asc. */
    static final Comparator<NormalisedOffer> ORDER = Comparator.comparingDouble(
                    (NormalisedOffer o) -> o.pricePerHour().doubleValue() / Math.max(1, o.gpuCount()))
            .thenComparingDouble(o -> o.reliability() == null ? 1.0 : -o.reliability())
            .thenComparing(NormalisedOffer::id);

    static List<String> expected(Predicate<NormalisedOffer> p) {
        return offers.stream().filter(p).sorted(ORDER).map(NormalisedOffer::id).toList();
    }

    static JsonPath search(Map<String, String> params) {
        RequestSpecification r = given();
        params.forEach(r::queryParam);
        if (!params.containsKey("location")) {
            r.queryParam("location", ZED);
        }
        if (!params.containsKey("limit")) {
            r.queryParam("limit", 1000);
        }
        return r.get("/inventory").then().statusCode(200).extract().jsonPath();
    }

    static void check(Map<String, String> params, Predicate<NormalisedOffer> p) {
        List<String> want = expected(p);
        JsonPath body = search(params);
        assertThat(body.getInt("total")).as("total for " + params).isEqualTo(want.size());
        assertThat(body.getList("offers.id", String.class))
                .as("ids for " + params)
                .isEqualTo(want);
    }

    @Test
    void everyFilterReturnsExactlyTheMatchingOffersInBestValueOrder() {
        check(Map.of(), o -> true);
        check(Map.of("provider", B), o -> o.provider().equals(B));
        check(Map.of("gpu_type", "RTX 4090"), o -> o.gpuType().equals("RTX 4090"));
        check(Map.of("gpu_type", "a100"), o -> o.gpuType().startsWith("A100"));
        check(Map.of("location", "zedland-germany"), o -> o.location().equals(ZED + "Germany"));
        check(Map.of("min_vram", "48"), o -> o.vramGb() >= 48);
        check(Map.of("max_price", "0.6"), o -> o.pricePerHour().doubleValue() <= 0.6);
        check(Map.of("min_gpu_count", "4"), o -> o.gpuCount() >= 4);
        check(Map.of("gpu_count", "2"), o -> o.gpuCount() >= 2);
        check(Map.of("min_reliability", "0.95"), o -> o.reliability() != null && o.reliability() >= 0.95);
        check(Map.of("min_cuda", "12.6"), o -> o.cudaVersion() != null && o.cudaVersion() >= 12.6);
        check(
                Map.of("provider", C, "gpu_type", "RTX 4090", "max_price", "0.5", "min_reliability", "0.9"),
                o -> o.provider().equals(C)
                        && o.gpuType().equals("RTX 4090")
                        && o.pricePerHour().doubleValue() <= 0.5
                        && o.reliability() != null
                        && o.reliability() >= 0.9);
    }

    @Test
    void minAvailabilityConfidenceKeepsOnlyOffersAtOrAboveIt() {
        JsonPath all = search(Map.of());
        JsonPath confident = search(Map.of("min_availability_confidence", "0.9"));
        List<Float> scores = confident.getList("offers.availability_confidence", Float.class);
        assertThat(scores).isNotEmpty().allMatch(s -> s >= 0.9f);
        assertThat(confident.getInt("total")).isLessThan(all.getInt("total"));
        // confidence falls as the catalog ages: whatever passes now passed a moment ago
        java.util.Set<String> before = new java.util.HashSet<>();
        List<String> ids = all.getList("offers.id", String.class);
        List<Float> allScores = all.getList("offers.availability_confidence", Float.class);
        for (int i = 0; i < ids.size(); i++) {
            if (allScores.get(i) >= 0.9f) {
                before.add(ids.get(i));
            }
        }
        assertThat(before).containsAll(confident.getList("offers.id", String.class));
    }

    @Test
    void paginationWalksEveryMatchExactlyOnceWithAStableTotal() {
        List<String> want = expected(o -> o.gpuCount() >= 2);
        List<String> walked = new ArrayList<>();
        for (int offset = 0; offset < want.size() + 7; offset += 7) {
            JsonPath page = given().queryParam("location", ZED)
                    .queryParam("min_gpu_count", 2)
                    .queryParam("limit", 7)
                    .queryParam("offset", offset)
                    .get("/inventory")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(page.getInt("total")).isEqualTo(want.size());
            assertThat(page.getInt("count")).isEqualTo(Math.max(0, Math.min(7, want.size() - offset)));
            walked.addAll(page.getList("offers.id", String.class));
        }
        assertThat(walked).isEqualTo(want);
    }

    @Test
    void theDefaultPageIsFiftyOffers() {
        JsonPath body = given().queryParam("location", ZED)
                .get("/inventory")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(body.getInt("count")).isEqualTo(50);
        assertThat(body.getInt("limit")).isEqualTo(50);
        assertThat(body.getInt("total")).isEqualTo(300);
        assertThat(body.getString("order")).isEqualTo("price_per_gpu_hour asc, reliability desc, id asc");
    }

    @Test
    void everyOfferShowsTheBrokerApiFieldsAndOurAdditions() {
        Map<String, Object> o = search(Map.of("limit", "1")).getMap("offers[0]");
        assertThat(o)
                .containsKeys(
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
                        "currency");
        assertThat(o).doesNotContainKey("provisioning");
    }

    @Test
    void invalidValuesAreA400NamingTheParameter() {
        String[][] bad = {
            {"min_vram", "-1"},
            {"min_vram", "lots"},
            {"max_price", "-0.5"},
            {"max_price", "cheap"},
            {"min_gpu_count", "1.5"},
            {"gpu_count", "-2"},
            {"min_reliability", "1.5"},
            {"min_availability_confidence", "2"},
            {"min_cuda", "NaN"},
            {"limit", "0"},
            {"offset", "-1"},
            {"provider", "awsome-cloud"},
            {"gpu_type", ""},
            {"template_hash_id", "0000"},
            {"limit", "-5"},
            {"limit", "1e3"},
            {"max_price", "Infinity"},
            {"min_vram", "99999999999"},
            {"offset", "x"},
            {"min_cuda", "1.5f"}
        };
        for (String[] e : bad) {
            given().queryParam(e[0], e[1])
                    .get("/inventory")
                    .then()
                    .statusCode(400)
                    .body("error", containsString("'" + e[0] + "'"))
                    .body("request_id", notNullValue());
        }
        given().queryParam("min_gpu_count", 2)
                .queryParam("gpu_count", 3)
                .get("/inventory")
                .then()
                .statusCode(400)
                .body("error", containsString("gpu_count"));
        given().queryParam("maxprice", 1)
                .get("/inventory")
                .then()
                .statusCode(400)
                .body("error", containsString("'maxprice'"));
        given().queryParam("provider", "vastai")
                .queryParam("provider", "rackrr")
                .get("/inventory")
                .then()
                .statusCode(400)
                .body("error", containsString("'provider'"));
    }

    @Test
    void anyPositiveLimitIsServedUpToThePageCapNotRefused() {
        JsonPath body = search(Map.of("limit", "100000"));
        assertThat(body.getInt("limit")).isEqualTo(100000);
        assertThat(body.getInt("total")).isEqualTo(300);
        assertThat(body.getInt("count")).isEqualTo(300);
        JsonPath beyondTheCap = search(Map.of("limit", "99999999999", "offset", "250"));
        assertThat(beyondTheCap.getInt("limit")).isEqualTo(1000000);
        assertThat(beyondTheCap.getInt("count")).isEqualTo(50);
    }

    @Test
    void anEmptyResultIsAnEmptyPageNotAnError() {
        given().queryParam("location", ZED)
                .queryParam("gpu_type", "RTX 9999")
                .get("/inventory")
                .then()
                .statusCode(200)
                .body("total", equalTo(0))
                .body("count", equalTo(0))
                .body("offers.size()", equalTo(0));
        given().queryParam("location", ZED)
                .queryParam("offset", 100000)
                .get("/inventory")
                .then()
                .statusCode(200)
                .body("total", equalTo(300))
                .body("count", equalTo(0));
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
