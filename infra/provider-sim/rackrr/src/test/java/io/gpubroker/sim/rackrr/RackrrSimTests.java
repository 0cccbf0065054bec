package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.rackrr.RackrrHarness.newKey;
import static io.gpubroker.sim.rackrr.RackrrHarness.provisionBody;
import static io.gpubroker.sim.rackrr.RackrrHarness.publicKey;
import static io.gpubroker.sim.rackrr.RackrrHarness.scheduled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RackrrSimTests {

    static RackrrHarness h;

    @BeforeAll
    static void start() {
        h = new RackrrHarness(RackrrHarness.testConfig());
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @BeforeEach
    void reset() {
        h.reset();
    }

    @Test
    void baseUrlIsTheDocumentedV1Prefix() {
        assertThat(h.sim.basePath()).isEqualTo("/v1");
        assertThat(h.sim.baseUrl()).endsWith("/v1");
    }

    @Test
    void availableVmsCarryTheProvisionFieldsPricingAndNotes() {
        JsonArray offers = h.offers();
        assertThat(offers).hasSize(30);
        Set<String> types = new HashSet<>();
        for (Object o : offers) {
            JsonObject offer = (JsonObject) o;
            assertThat(offer.getString("provider_id"))
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(offer.getString("provider_ref")).matches("[0-9a-f]{24}");
            assertThat(offer.getString("gpu_model")).matches("[a-z0-9]+-(pcie|sxm[0-9])-[0-9]+gb");
            assertThat(offer.getString("gpu_name")).startsWith("NVIDIA ");
            assertThat(offer.getInteger("gpu_count")).isPositive();
            assertThat(offer.getInteger("max_gpu_count")).isGreaterThanOrEqualTo(offer.getInteger("gpu_count"));
            assertThat(offer.getInteger("vcpus") % 2).isZero();
            assertThat(offer.getInteger("ram") % 2).isZero();
            assertThat(offer.getInteger("storage")).isPositive();
            assertThat(offer.getInteger("max_vcpus")).isGreaterThanOrEqualTo(offer.getInteger("vcpus"));
            assertThat(offer.getValue("price_per_hour")).isInstanceOf(Number.class);
            assertThat(offer.getDouble("price_per_hour")).isPositive();
            assertThat(offer.getString("currency")).isEqualTo("USD");
            assertThat(offer.getString("location")).matches("[A-Z]{2}");
            assertThat(offer.getValue("available")).isInstanceOf(Boolean.class);
            JsonObject notes = offer.getJsonObject("notes");
            types.add(notes == null ? "dedicated" : notes.getString("type"));
            if (notes != null) {
                assertThat(notes.getString("message")).isNotBlank();
            }
        }
        assertThat(types).containsExactlyInAnyOrder("dedicated", "shared", "scheduled");
    }

    @Test
    void offersAreDeterministicForTheSameSeed() {
        var config = RackrrHarness.testConfig();
        String a = new RackrrCatalog(config, new Fields(config)).listing(null);
        String b = new RackrrCatalog(config, new Fields(config)).listing(null);
        assertThat(a).isEqualTo(b).isEqualTo(h.get("/vms/available").body());
        var other = RackrrHarness.testConfig().set("seed", "7");
        assertThat(new RackrrCatalog(other, new Fields(other)).listing(null)).isNotEqualTo(a);
    }

    @Test
    void offerListingFiltersByGpuModelAndLocation() {
        JsonObject first = h.offers().getJsonObject(0);
        JsonArray byModel = new JsonArray(h.get("/vms/available?gpu_model=" + first.getString("gpu_model"))
                .body());
        assertThat(byModel)
                .isNotEmpty()
                .allSatisfy(o ->
                        assertThat(((JsonObject) o).getString("gpu_model")).isEqualTo(first.getString("gpu_model")));
        JsonArray byLocation = new JsonArray(
                h.get("/vms/available?location=" + first.getString("location")).body());
        assertThat(byLocation)
                .isNotEmpty()
                .allSatisfy(
                        o -> assertThat(((JsonObject) o).getString("location")).isEqualTo(first.getString("location")));
    }

    @Test
    void missingOrWrongApiKeyIsAnswered401WithTheMessageShape() {
        for (String path : List.of("/vms/available", "/vms", "/wallets/balance")) {
            HttpResponse<String> none = h.send(
                    HttpRequest.newBuilder(URI.create(h.sim.baseUrl() + path)).GET());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(new JsonObject(none.body()).getString("message")).contains("Unauthorized");
            HttpResponse<String> wrong = h.send(HttpRequest.newBuilder(URI.create(h.sim.baseUrl() + path))
                    .header("Authorization", "Bearer rk_live_wrong")
                    .GET());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(new JsonObject(wrong.body()).fieldNames()).containsExactly("message");
            HttpResponse<String> wrongScheme = h.send(HttpRequest.newBuilder(URI.create(h.sim.baseUrl() + path))
                    .header("Authorization", "Token " + h.sim.apiKey())
                    .GET());
            assertThat(wrongScheme.statusCode()).isEqualTo(401);
        }
        HttpResponse<String> create = h.send(HttpRequest.newBuilder(URI.create(h.sim.baseUrl() + "/vms/provision"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(create.statusCode()).isEqualTo(401);
        assertThat(h.controlGet("/instances").getInteger("live")).isZero();
    }

    @Test
    void readOnlyKeyCanListButIsForbiddenToProvision() {
        JsonObject offer = h.offer(RackrrHarness::dedicated);
        HttpResponse<String> list = h.send(HttpRequest.newBuilder(URI.create(h.sim.baseUrl() + "/vms"))
                .header("Authorization", "Bearer rk_live_readonly")
                .GET());
        assertThat(list.statusCode()).isEqualTo(200);
        HttpResponse<String> create = h.send(HttpRequest.newBuilder(URI.create(h.sim.baseUrl() + "/vms/provision"))
                .header("Authorization", "Bearer rk_live_readonly")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        provisionBody(offer, "x", publicKey(newKey())).encode())));
        assertThat(create.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(create.body()).getString("message")).contains("Forbidden");
    }

    @Test
    void provisionAcceptsTheDocumentedRequestAndAnswers201WithTheVmObject() {
        JsonObject offer = h.offer(RackrrHarness::dedicated);
        HttpResponse<String> r =
                h.post("/vms/provision", provisionBody(offer, "gpub-dep1-sess-abc123", publicKey(newKey())));
        assertThat(r.statusCode()).isEqualTo(201);
        JsonObject vm = new JsonObject(r.body());
        assertThat(vm.getString("id")).matches("[0-9a-f]{24}");
        assertThat(vm.getString("user_provided_name")).isEqualTo("gpub-dep1-sess-abc123");
        assertThat(vm.getString("status")).isEqualTo("provisioning");
        assertThat(vm.getString("provider_id")).isEqualTo(offer.getString("provider_id"));
        assertThat(vm.getString("provider_ref")).isEqualTo(offer.getString("provider_ref"));
        assertThat(vm.getString("gpu_model")).isEqualTo(offer.getString("gpu_model"));
        assertThat(vm.getInteger("gpu_count")).isEqualTo(offer.getInteger("gpu_count"));
        assertThat(vm.getInteger("vcpus")).isEqualTo(offer.getInteger("vcpus"));
        assertThat(vm.getInteger("ram")).isEqualTo(offer.getInteger("ram"));
        assertThat(vm.getInteger("storage")).isEqualTo(offer.getInteger("storage"));
        assertThat(vm.getDouble("price_per_hour")).isEqualTo(offer.getDouble("price_per_hour"));
        assertThat(vm.containsKey("ip_address")).isTrue();
        assertThat(vm.getValue("ip_address")).isNull();
        assertThat(vm.getValue("ssh_port")).isNull();
        assertThat(vm.getString("ssh_user")).isEqualTo("user");
        assertThat(vm.getString("created_at")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
        assertThat(vm.getString("updated_at")).isNotNull();
        assertThat(h.simInstance(vm.getString("id")).getString("tag")).isEqualTo("gpub-dep1-sess-abc123");
    }

    @Test
    void vmGoesThroughProvisioningAndStartingToRunningWithConnectionDetails() {
        JsonObject offer = h.offer(RackrrHarness::dedicated);
        String id = h.provision(offer, "gpub-run", newKey()).getString("id");
        List<String> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    String s = h.vm(id).getString("status");
                    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(s)) {
                        seen.add(s);
                    }
                    return "running".equals(s);
                });
        assertThat(seen)
                .containsSubsequence("provisioning", "running")
                .containsOnly("provisioning", "starting", "running");
        JsonObject vm = h.vm(id);
        assertThat(vm.getString("ip_address")).isEqualTo("127.0.0.1");
        assertThat(vm.getInteger("ssh_port")).isPositive();
        JsonArray all = new JsonArray(h.get("/vms").body());
        assertThat(all).hasSize(1);
        assertThat(all.getJsonObject(0).getString("id")).isEqualTo(id);
        assertThat(h.simInstance(id).getBoolean("billing")).isTrue();
    }

    @Test
    void sshAcceptsTheProvisionedKeyForTheReportedUserAndRejectsAnotherKey() throws Exception {
        KeyPair key = newKey();
        JsonObject vm = h.running(h.offer(RackrrHarness::dedicated), "gpub-ssh", key);
        int port = vm.getInteger("ssh_port");
        assertThat(h.exec(port, vm.getString("ssh_user"), key, "echo ok")).isEqualTo("ok\n");
        assertThat(h.exec(port, "user", key, "nvidia-smi --query-gpu=name --format=csv,noheader"))
                .contains("NVIDIA");
        assertThatThrownBy(() -> h.exec(port, "user", newKey(), "echo ok")).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> h.exec(port, "root", key, "echo ok")).isInstanceOf(Exception.class);
    }

    @Test
    void terminateAnswersWithTheFinalStatusClosesSshStopsBillingAndIsIdempotent() throws Exception {
        KeyPair key = newKey();
        JsonObject vm = h.running(h.offer(RackrrHarness::dedicated), "gpub-term", key);
        String id = vm.getString("id");
        int port = vm.getInteger("ssh_port");
        HttpResponse<String> r = h.post("/vms/" + id + "/terminate", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("message")).isEqualTo("VM terminated");
        assertThat(body.getJsonObject("vm").getString("status")).isEqualTo("terminated");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThatThrownBy(() -> h.exec(port, "user", key, "echo ok"))
                        .isInstanceOf(Exception.class));
        JsonObject after = h.simInstance(id);
        assertThat(after.getBoolean("billing")).isFalse();
        assertThat(after.getBoolean("destroyed")).isTrue();
        BigDecimal cost = new BigDecimal(after.getValue("accrued_cost").toString());
        Thread.sleep(100);
        assertThat(new BigDecimal(h.simInstance(id).getValue("accrued_cost").toString()))
                .isEqualByComparingTo(cost);
        assertThat(h.vm(id).getString("status")).isEqualTo("terminated");
        assertThat(h.post("/vms/" + id + "/terminate", null).statusCode()).isEqualTo(200);
        assertThat(h.get("/vms/0123456789abcdef01234567").statusCode()).isEqualTo(404);
        assertThat(new JsonObject(h.post("/vms/0123456789abcdef01234567/terminate", null)
                                .body())
                        .getString("message"))
                .isEqualTo("VM not found");
    }

    @Test
    void stopAndStartFollowTheDocumentedTransitionsAndSshComesBack() throws Exception {
        KeyPair key = newKey();
        String id =
                h.running(h.offer(RackrrHarness::dedicated), "gpub-stop", key).getString("id");
        HttpResponse<String> startRunning = h.post("/vms/" + id + "/start", null);
        assertThat(startRunning.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(startRunning.body()).getString("message")).contains("stopped");
        HttpResponse<String> stop = h.post("/vms/" + id + "/stop", null);
        assertThat(stop.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(stop.body()).getString("status")).isEqualTo("stopping");
        JsonObject stopped = h.awaitStatus(id, "stopped");
        assertThat(stopped.getValue("ssh_port")).isNull();
        assertThat(h.simInstance(id).getBoolean("billing"))
                .as("dedicated stopped VMs keep billing storage")
                .isTrue();
        HttpResponse<String> start = h.post("/vms/" + id + "/start", null);
        assertThat(start.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(start.body()).getString("status")).isEqualTo("starting");
        JsonObject running = h.awaitStatus(id, "running");
        assertThat(h.exec(running.getInteger("ssh_port"), "user", key, "echo back"))
                .isEqualTo("back\n");
    }

    @Test
    void invalidProvisionRequestsAreRejectedWithTheMessageShape() {
        JsonObject offer = h.offer(RackrrHarness::dedicated);
        String key = publicKey(newKey());
        JsonObject odd = provisionBody(offer, "x", key).put("vcpus", 3);
        HttpResponse<String> r = h.post("/vms/provision", odd);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("message")).isEqualTo("vcpus and ram must be even numbers");
        assertThat(h.post("/vms/provision", provisionBody(offer, "x", key).put("ram", 9))
                        .statusCode())
                .isEqualTo(400);
        JsonObject missing = provisionBody(offer, "x", key);
        missing.remove("user_provided_name");
        r = h.post("/vms/provision", missing);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("message")).isEqualTo("user_provided_name is required");
        assertThat(h.post("/vms/provision", provisionBody(offer, "x", "not a key"))
                        .statusCode())
                .isEqualTo(400);
        assertThat(h.post("/vms/provision", "{not json").statusCode()).isEqualTo(400);
        r = h.post("/vms/provision", provisionBody(offer, "x", key).put("provider_ref", "ffffffffffffffffffffffff"));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(r.body()).getString("message")).isNotBlank();
        assertThat(h.post("/vms/provision", provisionBody(offer, "x", key).put("gpu_count", 99))
                        .statusCode())
                .isEqualTo(400);
        assertThat(h.controlGet("/instances").getJsonArray("instances")).isEmpty();
    }

    @Test
    void fixedSpecBundlesRejectCustomisedResources() {
        JsonObject bundle =
                h.offer(o -> scheduled(o) && o.getJsonObject("notes").getBoolean("fixed_spec"));
        HttpResponse<String> r = h.post(
                "/vms/provision",
                provisionBody(bundle, "x", publicKey(newKey())).put("storage", bundle.getInteger("storage") + 50));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("message")).contains("fixed-spec");
        assertThat(h.post("/vms/provision", provisionBody(bundle, "x", publicKey(newKey())))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void capacityRunsOutAndComesBackOnTerminate() {
        JsonObject offer = h.offer(RackrrHarness::dedicated);
        JsonObject live = h.controlGet("/offers/" + offer.getString("provider_ref"));
        int fits = live.getInteger("total_gpus") / offer.getInteger("gpu_count");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < fits; i++) {
            ids.add(h.provision(offer, "gpub-cap-" + i, newKey()).getString("id"));
        }
        HttpResponse<String> full = h.post("/vms/provision", provisionBody(offer, "gpub-cap-x", publicKey(newKey())));
        assertThat(full.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(full.body()).getString("message")).contains("No available resources");
        assertThat(h.post("/vms/" + ids.get(0) + "/terminate", null).statusCode())
                .isEqualTo(200);
        assertThat(h.post("/vms/provision", provisionBody(offer, "gpub-cap-y", publicKey(newKey())))
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void staleListingStillAdvertisesGoneCapacityAndProvisionFailsTheProvidersWay() {
        JsonObject offer = h.offer(RackrrHarness::dedicated);
        String ref = offer.getString("provider_ref");
        h.control("/offers/" + ref + "/gone", null);
        JsonObject listed = h.offer(o -> ref.equals(o.getString("provider_ref")));
        assertThat(listed.getBoolean("available")).isTrue();
        HttpResponse<String> r = h.post("/vms/provision", provisionBody(offer, "gpub-stale", publicKey(newKey())));
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(r.body()).getString("message")).contains("No available resources");
        h.control("/offers/refresh", null);
        assertThat(h.offers().stream().map(JsonObject.class::cast).map(o -> o.getString("provider_ref")))
                .doesNotContain(ref);
    }

    @Test
    void sharedNoQueueVmReleasesCapacityOnStopAndCannotRestartWhenItIsGone() {
        JsonObject offer = h.offer(RackrrHarness::sharedNoQueue);
        String ref = offer.getString("provider_ref");
        String id = h.running(offer, "gpub-shared", newKey()).getString("id");
        int freeWhileRunning = h.controlGet("/offers/" + ref).getInteger("free_gpus");
        h.post("/vms/" + id + "/stop", null);
        h.awaitStatus(id, "stopped");
        assertThat(h.simInstance(id).getBoolean("billing")).isFalse();
        assertThat(h.controlGet("/offers/" + ref).getInteger("free_gpus"))
                .isEqualTo(freeWhileRunning + offer.getInteger("gpu_count"));
        h.control("/offers/" + ref + "/gone", null);
        HttpResponse<String> start = h.post("/vms/" + id + "/start", null);
        assertThat(start.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(start.body()).getString("message")).isNotBlank();
        assertThat(h.vm(id).getString("status")).isEqualTo("stopped");
    }

    @Test
    void scheduledVmWaitsForCapacityAndStartsByItselfWhenItFrees() {
        JsonObject offer = h.offer(RackrrHarness::scheduled);
        String ref = offer.getString("provider_ref");
        h.control("/offers/" + ref + "/capacity", new JsonObject().put("free_gpus", offer.getInteger("gpu_count")));
        KeyPair key = newKey();
        String first = h.running(offer, "gpub-first", newKey()).getString("id");
        JsonObject queued = h.provision(offer, "gpub-queued", key);
        assertThat(queued.getString("status")).isEqualTo("scheduled");
        JsonObject cancelled = h.provision(offer, "gpub-cancelled", newKey());
        HttpResponse<String> stop = h.post("/vms/" + cancelled.getString("id") + "/stop", null);
        assertThat(new JsonObject(stop.body()).getString("status")).isEqualTo("stopped");
        assertThat(h.simInstance(queued.getString("id")).getBoolean("billing")).isFalse();
        h.post("/vms/" + first + "/terminate", null);
        JsonObject started = h.awaitStatus(queued.getString("id"), "running");
        assertThat(started.getInteger("ssh_port")).isPositive();
        assertThat(h.vm(cancelled.getString("id")).getString("status")).isEqualTo("stopped");
    }

    @Test
    void listedPricesDriftWhileCreatedVmsKeepTheirPrice() {
        JsonObject offer = h.offer(RackrrHarness::dedicated);
        String ref = offer.getString("provider_ref");
        JsonObject vm = h.provision(offer, "gpub-price", newKey());
        h.control("/prices/drift", new JsonObject().put("steps", 20));
        assertThat(h.offer(o -> ref.equals(o.getString("provider_ref"))).getDouble("price_per_hour"))
                .as("listing is a snapshot until refreshed")
                .isEqualTo(offer.getDouble("price_per_hour"));
        h.control("/offers/refresh", null);
        double drifted = h.offer(o -> ref.equals(o.getString("provider_ref"))).getDouble("price_per_hour");
        assertThat(drifted).isNotEqualTo(offer.getDouble("price_per_hour"));
        assertThat(h.vm(vm.getString("id")).getDouble("price_per_hour")).isEqualTo(offer.getDouble("price_per_hour"));
    }

    @Test
    void walletBalanceAndTransactionsExposeTheAccruedCost() throws Exception {
        JsonObject before = new JsonObject(h.get("/wallets/balance").body());
        assertThat(before.getDouble("balance")).isEqualTo(1000.0);
        assertThat(before.getString("currency")).isEqualTo("USD");
        assertThat(before.getString("updated_at")).endsWith("Z");
        String id = h.running(h.offer(RackrrHarness::dedicated), "gpub-bill", newKey())
                .getString("id");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> new JsonArray(h.get("/wallets/transactions").body())
                        .stream().map(JsonObject.class::cast).anyMatch(t -> id.equals(t.getString("vm_id"))));
        h.post("/vms/" + id + "/terminate", null);
        BigDecimal accrued =
                new BigDecimal(h.simInstance(id).getValue("accrued_cost").toString());
        assertThat(accrued).isPositive();
        BigDecimal balance =
                new BigDecimal(new JsonObject(h.get("/wallets/balance").body())
                        .getValue("balance")
                        .toString());
        assertThat(balance).isEqualByComparingTo(new BigDecimal("1000").subtract(accrued));
        JsonArray txs = new JsonArray(h.get("/wallets/transactions").body());
        BigDecimal debits = BigDecimal.ZERO;
        for (Object o : txs) {
            JsonObject t = (JsonObject) o;
            assertThat(t.getString("id")).matches("[0-9a-f]{24}");
            assertThat(t.getString("type")).isIn("debit", "credit");
            assertThat(t.getString("description")).isNotBlank();
            assertThat(t.getString("created_at")).endsWith("Z");
            if ("debit".equals(t.getString("type")) && id.equals(t.getString("vm_id"))) {
                debits = debits.add(new BigDecimal(t.getValue("amount").toString()));
            }
        }
        assertThat(debits).isEqualByComparingTo(accrued);
        assertThat(txs.stream().map(JsonObject.class::cast).filter(t -> "credit".equals(t.getString("type"))))
                .hasSize(1);
    }

    @Test
    void provisionIsRefusedWhenTheWalletCannotPayAnHour() {
        h.control("/wallet", new JsonObject().put("balance", 0.01));
        HttpResponse<String> r = h.post(
                "/vms/provision", provisionBody(h.offer(RackrrHarness::dedicated), "gpub-poor", publicKey(newKey())));
        assertThat(r.statusCode()).isEqualTo(402);
        assertThat(new JsonObject(r.body()).getString("message")).contains("Insufficient");
    }

    @Test
    void orphanIsARunningTaggedVmReachableOverSshAndVisibleInTheList() throws Exception {
        KeyPair key = newKey();
        HttpResponse<String> r = h.control(
                "/orphans", new JsonObject().put("tag", "gpub-dep1-lost").put("ssh_public_key", publicKey(key)));
        assertThat(r.statusCode()).isEqualTo(201);
        String id = new JsonObject(r.body()).getString("id");
        await().atMost(Duration.ofSeconds(5)).until(() -> h.vm(id).getValue("ssh_port") != null);
        JsonObject vm = new JsonArray(h.get("/vms").body()).getJsonObject(0);
        assertThat(vm.getString("user_provided_name")).isEqualTo("gpub-dep1-lost");
        assertThat(vm.getString("status")).isEqualTo("running");
        assertThat(h.exec(vm.getInteger("ssh_port"), "user", key, "echo orphan"))
                .isEqualTo("orphan\n");
        assertThat(h.simInstance(id).getBoolean("billing")).isTrue();
    }

    @Test
    void unknownPathsAnswerTheMessageShape() {
        HttpResponse<String> r = h.get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(r.body()).getString("message")).isNotBlank();
    }
}
