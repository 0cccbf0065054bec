package io.gpubroker.sim.vastai;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VastAiOfferTests extends VastSimHarness {

    @BeforeAll
    static void up() {
        start(fastConfig());
    }

    private static JsonObject order(String field, String dir) {
        return new JsonObject()
                .put("order", new JsonArray().add(new JsonArray().add(field).add(dir)));
    }

    @Test
    void getBundlesWithAQParameterReturnsOffersInVastsShape() {
        String q = new JsonObject()
                .put("rentable", new JsonObject().put("eq", true))
                .put("rented", new JsonObject().put("eq", false))
                .put("external", new JsonObject().put("eq", false))
                .put("type", "on-demand")
                .put("limit", 100)
                .encode();
        Resp r = api("GET", "/bundles/?q=" + enc(q), null);
        assertThat(r.status()).isEqualTo(200);
        JsonArray offers = r.json().getJsonArray("offers");
        assertThat(offers).hasSize(30);
        JsonObject o = offers.getJsonObject(0);
        assertThat(o.getValue("id")).isInstanceOf(Number.class);
        assertThat(o.getValue("machine_id")).isInstanceOf(Number.class);
        assertThat(o.getValue("host_id")).isInstanceOf(Number.class);
        assertThat(o.getString("gpu_name")).isNotBlank().doesNotContain("_");
        assertThat(o.getInteger("num_gpus")).isPositive();
        assertThat(o.getDouble("gpu_ram")).isGreaterThan(20_000);
        assertThat(o.getDouble("gpu_total_ram")).isEqualTo(o.getDouble("gpu_ram") * o.getInteger("num_gpus"));
        assertThat(o.getDouble("dph_total")).isGreaterThan(o.getDouble("dph_base"));
        assertThat(o.getDouble("reliability2")).isBetween(0.0, 1.0);
        assertThat(o.getValue("verified")).isInstanceOf(Boolean.class);
        assertThat(o.getString("verification")).isIn("verified", "unverified");
        assertThat(o.getBoolean("rentable")).isTrue();
        assertThat(o.getBoolean("rented")).isFalse();
        assertThat(o.getDouble("cuda_max_good")).isGreaterThanOrEqualTo(12.0);
        assertThat(o.getString("driver_version")).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(o.getString("geolocation")).matches(".+, [A-Z]{2}");
        assertThat(o.getString("cpu_arch")).isEqualTo("amd64");
        assertThat(o.getInteger("compute_cap")).isGreaterThanOrEqualTo(700);
        assertThat(o.getDouble("storage_cost")).isPositive();
        assertThat(o.getDouble("min_bid")).isPositive();
        assertThat(o.getLong("end_date")).isGreaterThan(Instant.now().getEpochSecond() - 3600);
        // the CLI default order: score, best first
        for (int i = 1; i < offers.size(); i++) {
            assertThat(offers.getJsonObject(i).getDouble("score"))
                    .isLessThanOrEqualTo(offers.getJsonObject(i - 1).getDouble("score"));
        }
    }

    @Test
    void postBundlesAppliesFiltersOrderAndLimit() {
        JsonObject q = order("dph_total", "asc")
                .put("num_gpus", new JsonObject().put("gte", 1).put("lte", 2))
                .put("gpu_ram", new JsonObject().put("gte", 24_000))
                .put("reliability2", new JsonObject().put("gte", 0.9))
                .put("dph_total", new JsonObject().put("lte", 3.0))
                .put("limit", 5);
        JsonArray offers = search(q);
        assertThat(offers.size()).isBetween(1, 5);
        double last = 0;
        for (Object x : offers) {
            JsonObject o = (JsonObject) x;
            assertThat(o.getInteger("num_gpus")).isBetween(1, 2);
            assertThat(o.getDouble("reliability2")).isGreaterThanOrEqualTo(0.9);
            assertThat(o.getDouble("dph_total")).isLessThanOrEqualTo(3.0).isGreaterThanOrEqualTo(last);
            last = o.getDouble("dph_total");
        }
        // the newer PUT /search/asks/ form wraps the query in "q"
        Resp wrapped = api(
                "PUT",
                "/search/asks/",
                new JsonObject()
                        .put("select_cols", new JsonArray().add("*"))
                        .put("q", q)
                        .encode());
        assertThat(wrapped.json().getJsonArray("offers")).isEqualTo(offers);
    }

    @Test
    void gpuNamesWithUnderscoresCountryCodesAndNotinAreUnderstood() {
        JsonObject sample = search(new JsonObject().put("limit", 1)).getJsonObject(0);
        String name = sample.getString("gpu_name");
        JsonArray same = search(new JsonObject().put("gpu_name", new JsonObject().put("eq", name.replace(' ', '_'))));
        assertThat(same)
                .isNotEmpty()
                .allSatisfy(
                        o -> assertThat(((JsonObject) o).getString("gpu_name")).isEqualTo(name));

        String country = sample.getString("geolocation")
                .substring(sample.getString("geolocation").length() - 2);
        JsonArray local =
                search(new JsonObject().put("geolocation", new JsonObject().put("in", new JsonArray().add(country))));
        assertThat(local)
                .isNotEmpty()
                .allSatisfy(o ->
                        assertThat(((JsonObject) o).getString("geolocation")).endsWith(", " + country));

        JsonArray others = search(new JsonObject()
                .put("gpu_name", new JsonObject().put("notin", new JsonArray().add(name)))
                .put("limit", 100));
        assertThat(others.size() + same.size()).isEqualTo(30);
        assertThat(search(new JsonObject().put("no_such_field", new JsonObject().put("eq", 1))))
                .as("unknown keys are ignored")
                .isNotEmpty();
        assertThat(api("POST", "/bundles/", "{\"num_gpus\": {\"like\": 1}}").status())
                .isEqualTo(400);
    }

    @Test
    void allocatedStorageIsPricedIntoDphTotal() {
        JsonObject q =
                new JsonObject().put("id", new JsonObject().put("eq", anyOffer().getLong("id")));
        JsonObject small = search(q).getJsonObject(0);
        JsonObject big = search(q.copy().put("allocated_storage", 500)).getJsonObject(0);
        double base = small.getDouble("dph_base");
        assertThat(big.getDouble("dph_base")).isEqualTo(base);
        assertThat(big.getDouble("dph_total"))
                .isCloseTo(base + big.getDouble("storage_cost") * 500 / 720, Offset.offset(1e-5));
        assertThat(small.getDouble("dph_total"))
                .isCloseTo(base + small.getDouble("storage_cost") * 5 / 720, Offset.offset(1e-5));
    }

    @Test
    void theCatalogIsDeterministicForASeed() {
        VastAiSim twin = new VastAiSim(fastConfig(), new SimClock(Instant.now(), 300));
        try (Simulators s = Simulators.startOne(twin, 0)) {
            Resp r = send(
                    "POST",
                    twin.baseUrl() + "/bundles/",
                    order("id", "asc").put("limit", 30).encode(),
                    "Bearer " + twin.apiKey());
            JsonArray a = r.json().getJsonArray("offers");
            JsonArray b = search(order("id", "asc").put("limit", 30));
            assertThat(a.size()).isEqualTo(30);
            for (int i = 0; i < 30; i++) {
                for (String f : new String[] {
                    "id", "machine_id", "gpu_name", "num_gpus", "dph_base", "geolocation", "cuda_max_good"
                }) {
                    assertThat(a.getJsonObject(i).getValue(f))
                            .isEqualTo(b.getJsonObject(i).getValue(f));
                }
            }
        }
    }

    @Test
    void pricesDriftWhileCreatedInstancesKeepTheirPrice() {
        JsonObject offer = anyOffer();
        long id = create(offer.getLong("id"), "keep-price");
        double instPrice = instance(id).getDouble("dph_total");
        JsonArray before = search(order("machine_id", "asc").put("limit", 30));
        ctl("POST", "/prices/drift", "{\"pct\": 0.2, \"steps\": 3}");
        JsonArray after = search(order("machine_id", "asc").put("limit", 30));
        int changed = 0;
        for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
            if (before.getJsonObject(i).getDouble("dph_base").doubleValue()
                    != after.getJsonObject(i).getDouble("dph_base")) {
                changed++;
            }
        }
        assertThat(changed).isGreaterThan(10);
        assertThat(instance(id).getDouble("dph_total")).isEqualTo(instPrice);
    }

    @Test
    void twentyThousandOffersAreSearchedQuickly() {
        VastAiSim big = new VastAiSim(fastConfig().set("vastai.offers", "20000"), new SimClock(Instant.now(), 300));
        try (Simulators s = Simulators.startOne(big, 0)) {
            String auth = "Bearer " + big.apiKey();
            JsonObject q = order("dph_total", "asc")
                    .put("gpu_name", new JsonObject().put("eq", "RTX 4090"))
                    .put("num_gpus", new JsonObject().put("gte", 1))
                    .put("limit", 100);
            send("POST", big.baseUrl() + "/bundles/", q.encode(), auth);
            long t0 = System.nanoTime();
            Resp r = send("POST", big.baseUrl() + "/bundles/", q.encode(), auth);
            long filteredMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.json().getJsonArray("offers")).hasSize(100);
            assertThat(filteredMs).isLessThan(1500);

            Resp all = send("POST", big.baseUrl() + "/bundles/", "{\"limit\": 20000}", auth);
            assertThat(all.json().getJsonArray("offers")).hasSize(20000);
        }
    }
}
