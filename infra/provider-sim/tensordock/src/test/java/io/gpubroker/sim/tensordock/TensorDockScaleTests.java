package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.tensordock.TdTestSupport.createBody;
import static io.gpubroker.sim.tensordock.TdTestSupport.newKey;
import static io.gpubroker.sim.tensordock.TdTestSupport.publicLine;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

class TensorDockScaleTests {

    @Test
    void twentyThousandHostnodesListQuicklyAndFiltersStayCheap() {
        try (TdTestSupport big = new TdTestSupport(TdTestSupport.testConfig().set("tensordock.offers", "20000"))) {
            long t0 = System.nanoTime();
            TdTestSupport.Res all = big.call("GET", "/hostnodes", null);
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(all.json().getJsonObject("data").getJsonArray("hostnodes"))
                    .hasSize(20_000);

            t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(big.call("GET", "/hostnodes", null).status()).isEqualTo(200);
            }
            long cachedMs = (System.nanoTime() - t0) / 1_000_000 / 5;

            TdTestSupport.Pick pick = big.pickOffer();
            t0 = System.nanoTime();
            JsonArray filtered = big.call(
                            "GET",
                            "/hostnodes?gpu=" + pick.v0Name() + "&location_id=" + pick.locationId()
                                    + "&min_gpu_count=1",
                            null)
                    .json()
                    .getJsonObject("data")
                    .getJsonArray("hostnodes");
            long filteredMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(filtered).isNotEmpty().hasSizeLessThan(2_000);

            String id = big.create("gpub-bench", publicLine(newKey()));
            assertThat(big.instance(id).getString("id")).isEqualTo(id);
            assertThat(big.call("POST", "/instances", createBody("gpub-bench-2", pick, publicLine(newKey())))
                            .status())
                    .isEqualTo(200);

            assertThat(firstMs).as("first full listing ms").isLessThan(10_000);
            assertThat(cachedMs).as("cached listing ms").isLessThan(2_000);
            assertThat(filteredMs).as("filtered listing ms").isLessThan(1_000);
        }
    }
}
