package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.rackrr.RackrrHarness.newKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** GUESSED response details are configuration, and the catalog scales to benchmark sizes. */
class RackrrConfigTests {

    @Test
    void guessedFieldNamesStatusNamesAndTerminateShapeAreConfigurable() {
        var config = RackrrHarness.testConfig()
                .set("rackrr.field.id", "_id")
                .set("rackrr.field.ip_address", "public_ip")
                .set("rackrr.status.provisioning", "pending")
                .set("rackrr.terminate-response", "vm")
                .set("rackrr.terminated-retention", "0")
                .set("rackrr.ssh-user", "ubuntu")
                .set("rackrr.provision-status", "200");
        try (RackrrHarness h = new RackrrHarness(config)) {
            JsonObject offer = h.offer(RackrrHarness::dedicated);
            HttpResponse<String> created = h.post(
                    "/vms/provision",
                    RackrrHarness.provisionBody(offer, "gpub-cfg", RackrrHarness.publicKey(newKey())));
            assertThat(created.statusCode()).isEqualTo(200);
            JsonObject vm = new JsonObject(created.body());
            assertThat(vm.getString("_id")).matches("[0-9a-f]{24}");
            assertThat(vm.containsKey("id")).isFalse();
            assertThat(vm.getString("status")).isEqualTo("pending");
            assertThat(vm.getString("ssh_user")).isEqualTo("ubuntu");
            String id = vm.getString("_id");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> "running".equals(h.vm(id).getString("status")));
            assertThat(h.vm(id).getString("public_ip")).isEqualTo("127.0.0.1");
            JsonObject terminated =
                    new JsonObject(h.post("/vms/" + id + "/terminate", null).body());
            assertThat(terminated.getString("status")).isEqualTo("terminated");
            assertThat(h.get("/vms/" + id).statusCode()).isEqualTo(404);
            assertThat(new JsonArray(h.get("/vms").body())).isEmpty();
        }
    }

    @Test
    void twentyThousandOffersAreListedAndFilteredQuickly() {
        try (RackrrHarness h = new RackrrHarness(RackrrHarness.testConfig().set("rackrr.offers", "20000"))) {
            long t0 = System.nanoTime();
            JsonArray all = h.offers();
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(all).hasSize(20000);
            t0 = System.nanoTime();
            String again = h.get("/vms/available").body();
            long cachedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(again.length()).isGreaterThan(1_000_000);
            assertThat(firstMs).isLessThan(10_000);
            assertThat(cachedMs).isLessThan(3_000);
            JsonArray h100 = new JsonArray(
                    h.get("/vms/available?gpu_model=h100-sxm5-80gb").body());
            assertThat(h100)
                    .isNotEmpty()
                    .hasSizeLessThan(20000)
                    .allSatisfy(o ->
                            assertThat(((JsonObject) o).getString("gpu_model")).isEqualTo("h100-sxm5-80gb"));
        }
    }

    @Test
    void listedPricesDriftOnATimerAndTheSnapshotRefreshesByItself() {
        var config = RackrrHarness.testConfig()
                .set("rackrr.price-drift-interval", "30")
                .set("rackrr.snapshot-refresh", "30");
        try (RackrrHarness h = new RackrrHarness(config)) {
            String before = h.get("/vms/available").body();
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> !h.get("/vms/available").body().equals(before));
            JsonObject offer = h.offers().getJsonObject(0);
            String ref = offer.getString("provider_ref");
            h.control("/offers/" + ref + "/gone", null);
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> h.offers().stream()
                            .map(JsonObject.class::cast)
                            .filter(o -> ref.equals(o.getString("provider_ref")))
                            .allMatch(o -> !o.getBoolean("available")));
        }
    }
}
