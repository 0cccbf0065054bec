package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.rackrr.RackrrHarness.newKey;
import static io.gpubroker.sim.rackrr.RackrrHarness.provisionBody;
import static io.gpubroker.sim.rackrr.RackrrHarness.publicKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every fault the control API can inject, observed through Rackrr's own API and real SSH. */
class RackrrFaultTests {

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

    private static void fault(JsonObject rule) {
        assertThat(h.control("/faults", rule).statusCode()).isEqualTo(201);
    }

    private static JsonObject dedicatedOffer() {
        return h.offer(RackrrHarness::dedicated);
    }

    @Test
    void injected429CarriesRetryAfterWhenTheRuleSetsIt() {
        fault(new JsonObject()
                .put("op", "list")
                .put("status", 429)
                .put("retry_after", 7)
                .put("count", 1));
        HttpResponse<String> r = h.get("/vms");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("7");
        assertThat(new JsonObject(r.body()).getString("message")).contains("Too many requests");
        assertThat(h.get("/vms").statusCode()).isEqualTo(200);
    }

    @Test
    void injected429WithoutRetryAfterHasNoHeader() {
        fault(new JsonObject().put("op", "offers").put("status", 429).put("count", 1));
        HttpResponse<String> r = h.get("/vms/available");
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        assertThat(new JsonObject(r.body()).getString("message")).isNotBlank();
    }

    @Test
    void injected5xxOnCreateIsAnsweredWithTheMessageShapeAndCreatesNothing() {
        fault(new JsonObject()
                .put("op", "create")
                .put("status", 500)
                .put("message", "Internal server error")
                .put("count", 1));
        HttpResponse<String> r =
                h.post("/vms/provision", provisionBody(dedicatedOffer(), "gpub-5xx", publicKey(newKey())));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(new JsonObject(r.body()).getString("message")).isEqualTo("Internal server error");
        assertThat(new JsonArray(h.get("/vms").body())).isEmpty();
    }

    @Test
    void listOutageFailsTheListCallWhileVmsKeepRunning() {
        String id = h.running(dedicatedOffer(), "gpub-outage", newKey()).getString("id");
        fault(new JsonObject().put("op", "list").put("status", 503).put("count", 2));
        assertThat(h.get("/vms").statusCode()).isEqualTo(503);
        assertThat(h.get("/vms").statusCode()).isEqualTo(503);
        assertThat(h.get("/vms/" + id).statusCode()).isEqualTo(200);
        JsonArray back = new JsonArray(h.get("/vms").body());
        assertThat(back).hasSize(1);
        assertThat(back.getJsonObject(0).getString("status")).isEqualTo("running");
    }

    @Test
    void slowResponseIsDelayedByDelayMs() {
        fault(new JsonObject().put("op", "balance").put("delay_ms", 400).put("count", 1));
        long t0 = System.nanoTime();
        HttpResponse<String> r = h.get("/wallets/balance");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getDouble("balance")).isEqualTo(1000.0);
        assertThat(ms).isGreaterThanOrEqualTo(400);
    }

    @Test
    void errorInside200IsA200WithOnlyAMessageAndNoVm() {
        fault(new JsonObject()
                .put("op", "create")
                .put("error_200", true)
                .put("message", "Provisioning failed")
                .put("count", 1));
        HttpResponse<String> r =
                h.post("/vms/provision", provisionBody(dedicatedOffer(), "gpub-e200", publicKey(newKey())));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("message")).isEqualTo("Provisioning failed");
        assertThat(body.containsKey("id")).isFalse();
        assertThat(h.controlGet("/instances").getJsonArray("instances")).isEmpty();
    }

    @Test
    void terminateIsRefusedNTimesThenSucceeds() {
        String id = h.running(dedicatedOffer(), "gpub-refuse", newKey()).getString("id");
        fault(new JsonObject().put("op", "destroy").put("status", 500).put("count", 2));
        assertThat(h.post("/vms/" + id + "/terminate", null).statusCode()).isEqualTo(500);
        assertThat(h.simInstance(id).getBoolean("billing")).isTrue();
        assertThat(h.post("/vms/" + id + "/terminate", null).statusCode()).isEqualTo(500);
        HttpResponse<String> ok = h.post("/vms/" + id + "/terminate", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ok.body()).getJsonObject("vm").getString("status"))
                .isEqualTo("terminated");
        assertThat(h.simInstance(id).getBoolean("billing")).isFalse();
    }

    @Test
    void instanceThatDiesReachesRunningThenFailedWithSshClosedAndBillingStopped() {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "dies")
                .put("count", 1));
        KeyPair key = newKey();
        String id = h.provision(dedicatedOffer(), "gpub-dies", key).getString("id");
        JsonObject running = h.awaitStatus(id, "running");
        int port = running.getInteger("ssh_port");
        h.awaitStatus(id, "failed");
        assertThat(h.simInstance(id).getBoolean("billing")).isFalse();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThatThrownBy(() -> h.exec(port, "user", key, "echo ok"))
                        .isInstanceOf(Exception.class));
        assertThat(h.simInstance(id).getString("fault")).isEqualTo("dies");
    }

    @Test
    void hostOfflineTurnsTheVmIntoErrorClosesSshAndKeepsBilling() throws Exception {
        KeyPair key = newKey();
        JsonObject vm = h.running(dedicatedOffer(), "gpub-offline", key);
        String id = vm.getString("id");
        assertThat(h.exec(vm.getInteger("ssh_port"), "user", key, "echo up")).isEqualTo("up\n");
        assertThat(h.control("/instances/" + id + "/faults", new JsonObject().put("kind", "host_offline"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(h.vm(id).getString("status")).isEqualTo("error");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThatThrownBy(() -> h.exec(vm.getInteger("ssh_port"), "user", key, "echo ok"))
                        .isInstanceOf(Exception.class));
        assertThat(h.simInstance(id).getBoolean("billing")).isTrue();
        assertThat(h.post("/vms/" + id + "/terminate", null).statusCode()).isEqualTo(200);
        assertThat(h.simInstance(id).getBoolean("billing")).isFalse();
    }

    @Test
    void vmDiesOnDemandThroughTheControlApi() {
        String id = h.running(dedicatedOffer(), "gpub-kill", newKey()).getString("id");
        h.control("/instances/" + id + "/faults", new JsonObject().put("kind", "dies"));
        assertThat(h.vm(id).getString("status")).isEqualTo("failed");
        HttpResponse<String> unknown = h.control("/instances/" + id + "/faults", new JsonObject().put("kind", "melts"));
        assertThat(unknown.statusCode()).isEqualTo(400);
    }

    @Test
    void sshRejectFaultRefusesEvenTheProvisionedKey() {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_reject")
                .put("count", 1));
        KeyPair key = newKey();
        JsonObject vm = h.running(dedicatedOffer(), "gpub-reject", key);
        assertThat(vm.getInteger("ssh_port")).isPositive();
        assertThatThrownBy(() -> h.exec(vm.getInteger("ssh_port"), "user", key, "echo ok"))
                .isInstanceOf(Exception.class);
    }

    @Test
    void sshNeverOpensAlthoughTheVmReportsRunningWithAPort() {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_never_open")
                .put("count", 1));
        KeyPair key = newKey();
        JsonObject vm = h.running(dedicatedOffer(), "gpub-closed", key);
        assertThat(vm.getString("ip_address")).isEqualTo("127.0.0.1");
        assertThat(vm.getInteger("ssh_port")).isPositive();
        assertThatThrownBy(() -> h.exec(vm.getInteger("ssh_port"), "user", key, "echo ok"))
                .isInstanceOf(Exception.class);
    }

    @Test
    void gpuMismatchMakesNvidiaSmiReportAnotherGpuThanTheOffer() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "gpu_mismatch")
                .put("count", 1));
        KeyPair key = newKey();
        JsonObject offer = dedicatedOffer();
        JsonObject vm = h.running(offer, "gpub-liar", key);
        String reported =
                h.exec(vm.getInteger("ssh_port"), "user", key, "nvidia-smi --query-gpu=name --format=csv,noheader");
        String offered = h.simInstance(vm.getString("id")).getString("gpu");
        assertThat(reported).doesNotContain(io.gpubroker.sim.core.GpuSpec.driverName(offered) + "\n");
        assertThat(reported).containsAnyOf("RTX 3090", "RTX 4090");
    }

    @Test
    void stuckVmNeverReachesRunningWhileTheNextOneDoes() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "stuck")
                .put("count", 1));
        JsonObject offer = dedicatedOffer();
        String stuck = h.provision(offer, "gpub-stuck", newKey()).getString("id");
        String healthy = h.provision(offer, "gpub-healthy", newKey()).getString("id");
        h.awaitStatus(healthy, "running");
        Thread.sleep(300);
        assertThat(h.vm(stuck).getString("status")).isEqualTo("provisioning");
        assertThat(h.simInstance(stuck).getBoolean("billing")).isFalse();
    }

    @Test
    void orphanFaultCreatesARunningBillingInstanceWithTheBrokersTag() {
        HttpResponse<String> r = h.control("/orphans", new JsonObject().put("tag", "gpub-dep9-sess-orphan"));
        assertThat(r.statusCode()).isEqualTo(201);
        JsonObject listed = new JsonArray(h.get("/vms").body()).getJsonObject(0);
        assertThat(listed.getString("user_provided_name")).isEqualTo("gpub-dep9-sess-orphan");
        assertThat(listed.getString("status")).isEqualTo("running");
        assertThat(h.simInstance(listed.getString("id")).getBoolean("billing")).isTrue();
    }
}
