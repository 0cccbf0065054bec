package io.gpubroker.sim.barrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BarrackFaultTests extends BarrackTestSupport {

    @Test
    void injected429CarriesRetryAfterOnlyWhenTheRuleSetsIt() throws Exception {
        fault(new JsonObject()
                .put("op", "list")
                .put("status", 429)
                .put("retry_after", 7)
                .put("count", 1));
        Resp with = api("GET", "/instances/", null);
        assertThat(with.status()).isEqualTo(429);
        assertThat(with.raw().headers().firstValue("Retry-After")).hasValue("7");
        assertThat(with.json().getBoolean("success")).isFalse();
        assertThat(with.json().getString("error")).isEqualTo("throttled");

        fault(new JsonObject().put("op", "list").put("status", 429).put("count", 1));
        Resp without = api("GET", "/instances/", null);
        assertThat(without.status()).isEqualTo(429);
        assertThat(without.raw().headers().firstValue("Retry-After")).isEmpty();
        assertThat(api("GET", "/instances/", null).status()).isEqualTo(200);
    }

    @Test
    void configuredRateLimitAnswers429WithRetryAfterOncePerMinuteBudgetIsSpent() throws Exception {
        config.set("barrack.rate-limit-per-minute", "3");
        try {
            for (int i = 0; i < 3; i++) {
                assertThat(api("GET", "/balance/", null).status()).isEqualTo(200);
            }
            Resp limited = api("GET", "/balance/", null);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.raw().headers().firstValue("Retry-After")).isPresent();
            assertThat(limited.json().getString("message")).startsWith("Request was throttled.");
        } finally {
            config.set("barrack.rate-limit-per-minute", "0");
        }
        assertThat(api("GET", "/balance/", null).status()).isEqualTo(200);
    }

    @Test
    void injected5xxOnDeployUsesTheErrorEnvelopeAndCreatesNothing() throws Exception {
        fault(new JsonObject().put("op", "create").put("status", 500).put("count", 1));
        Resp r = api("POST", "/deploy-server/", deployBody("boom"));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.json().getBoolean("success")).isFalse();
        assertThat(r.json().getString("error")).isEqualTo("internal_error");
        assertThat(r.json().getString("request_id")).isNotBlank();
        assertThat(control("GET", "/instances", null).json().getJsonArray("instances"))
                .isEmpty();
        assertThat(api("POST", "/deploy-server/", deployBody("fine")).status()).isEqualTo(201);
    }

    @Test
    void slowResponseIsDelayedByDelayMs() throws Exception {
        fault(new JsonObject().put("op", "offers").put("delay_ms", 400).put("count", 1));
        long t0 = System.nanoTime();
        Resp r = api("GET", "/gpu-stocks/", null);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.data().getJsonArray("stocks")).isNotEmpty();
    }

    @Test
    void errorInsideHttp200ComesAsSuccessFalse() throws Exception {
        String id = deploy("e200");
        fault(new JsonObject()
                .put("op", "get")
                .put("error_200", true)
                .put("message", "Upstream timeout")
                .put("count", 1));
        Resp r = api("GET", "/instances/" + id + "/", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getBoolean("success")).isFalse();
        assertThat(r.json().getString("message")).isEqualTo("Upstream timeout");
        assertThat(r.json().containsKey("data")).isFalse();
    }

    @Test
    void listOutageFailsTheListWhileInstancesKeepRunningAndBilling() throws Exception {
        String id = deploy("hidden");
        awaitReachable(id);
        fault(new JsonObject().put("op", "list").put("status", 503).put("count", 2));
        assertThat(api("GET", "/instances/", null).status()).isEqualTo(503);
        assertThat(api("GET", "/instances/", null).status()).isEqualTo(503);
        assertThat(controlView(id).getBoolean("billing")).isTrue();
        assertThat(api("GET", "/instances/", null).data().getJsonArray("instances"))
                .hasSize(1);
    }

    @Test
    void destroyIsRefusedNTimesThenSucceeds() throws Exception {
        String id = deploy("stubborn");
        fault(new JsonObject().put("op", "destroy").put("status", 500).put("count", 2));
        assertThat(api("DELETE", "/instances/" + id + "/", null).status()).isEqualTo(500);
        assertThat(api("DELETE", "/instances/" + id + "/", null).status()).isEqualTo(500);
        assertThat(instance(id).getString("status")).isNotEqualTo("DELETING");
        Resp ok = api("DELETE", "/instances/" + id + "/", null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.data().getString("status")).isEqualTo("DELETING");
    }

    @Test
    void instanceThatDiesGoesFromActiveToErrorAndStopsBilling() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "dies")
                .put("count", 1));
        config.set("barrack.dies-after", "60");
        try {
            String id = deploy("doomed");
            awaitReachable(id);
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(25))
                    .until(() -> instance(id).getString("status").equals("ERROR"));
            assertThat(controlView(id).getBoolean("billing")).isFalse();
            assertThat(controlView(id).getString("fault")).isEqualTo("dies");
        } finally {
            config.set("barrack.dies-after", "10");
        }
    }

    @Test
    void hostOfflineShowsUnknownAndSshGoesDown() throws Exception {
        String id = deploy("offline");
        int port = awaitReachable(id).getInteger("ssh_port");
        assertThat(exec(port, "ubuntu", brokerKey, "echo on")).isEqualTo("on\n");
        Resp r = control("POST", "/instances/" + id + "/faults", new JsonObject().put("kind", "host_offline"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(instance(id).getString("status")).isEqualTo("UNKNOWN");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .untilAsserted(() -> assertThatThrownBy(() -> exec(port, "ubuntu", brokerKey, "echo on"))
                        .isInstanceOf(Exception.class));
        assertThat(control("POST", "/instances/" + id + "/faults", new JsonObject().put("kind", "meteor"))
                        .status())
                .isEqualTo(400);
    }

    @Test
    void sshRejectFaultRefusesEvenTheRegisteredKey() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_reject")
                .put("count", 1));
        String id = deploy("rejecting");
        int port = awaitReachable(id).getInteger("ssh_port");
        assertThat(controlView(id).getBoolean("ssh_listening")).isTrue();
        assertThatThrownBy(() -> exec(port, "ubuntu", brokerKey, "echo ok")).isInstanceOf(Exception.class);
        String healthy = deploy("healthy");
        assertThat(exec(awaitReachable(healthy).getInteger("ssh_port"), "ubuntu", brokerKey, "echo ok"))
                .isEqualTo("ok\n");
    }

    @Test
    void sshNeverOpensAlthoughTheVmIsActiveWithAnAddress() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_never_open")
                .put("count", 1));
        String id = deploy("closed");
        JsonObject vm = awaitReachable(id);
        assertThat(vm.getInteger("ssh_port")).isPositive();
        assertThat(controlView(id).getBoolean("ssh_listening")).isFalse();
        assertThatThrownBy(() -> exec(vm.getInteger("ssh_port"), "ubuntu", brokerKey, "echo ok"))
                .isInstanceOf(Exception.class);
    }

    @Test
    void sshPortStaysClosedWhenRequiredFirewallRuleForPort22IsMissing() throws Exception {
        config.set("barrack.require-ssh-rule", "true");
        try {
            Resp r = api(
                    "POST",
                    "/deploy-server/",
                    deployBody("no-rule").put("security_rules", new io.vertx.core.json.JsonArray()));
            JsonObject vm = awaitReachable(r.data().getString("instance_id"));
            assertThatThrownBy(() -> exec(vm.getInteger("ssh_port"), "ubuntu", brokerKey, "echo ok"))
                    .isInstanceOf(Exception.class);
            String allowed = deploy("rule");
            assertThat(exec(awaitReachable(allowed).getInteger("ssh_port"), "ubuntu", brokerKey, "echo ok"))
                    .isEqualTo("ok\n");
        } finally {
            config.set("barrack.require-ssh-rule", "false");
        }
    }

    @Test
    void gpuMismatchHostReportsADifferentGpuThanTheOffer() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "gpu_mismatch")
                .put("count", 1));
        String id = deploy("liar");
        JsonObject vm = awaitReachable(id);
        assertThat(vm.getJsonObject("specs").getString("gpu_type")).isEqualTo("RTX-A6000");
        assertThat(exec(
                        vm.getInteger("ssh_port"),
                        "ubuntu",
                        brokerKey,
                        "nvidia-smi --query-gpu=name --format=csv,noheader"))
                .isEqualTo(io.gpubroker.sim.core.GpuSpec.driverName("RTX 3090") + "\n");
    }

    @Test
    void stuckInstanceNeverLeavesBuild() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "stuck")
                .put("count", 1));
        String id = deploy("stuck");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> instance(id).getString("status").equals("BUILD"));
        Thread.sleep(400);
        assertThat(instance(id).getString("status")).isEqualTo("BUILD");
        assertThat(controlView(id).getBoolean("billing")).isFalse();
        assertThat(instance(id).getValue("ip_address")).isNull();
    }

    @Test
    void orphanIsARunningTaggedVmVisibleInTheListWithWorkingSsh() throws Exception {
        Resp r = control(
                "POST",
                "/orphans",
                new JsonObject().put("tag", "gpub-dep1-lost").put("public_key", publicKey(brokerKey)));
        assertThat(r.status()).isEqualTo(201);
        String id = r.json().getString("id");
        assertThat(r.json().getString("tag")).isEqualTo("gpub-dep1-lost");
        JsonObject listed =
                api("GET", "/instances/", null).data().getJsonArray("instances").getJsonObject(0);
        assertThat(listed.getString("instance_id")).isEqualTo(id);
        assertThat(listed.getString("vm_name")).isEqualTo("gpub-dep1-lost");
        assertThat(listed.getString("status")).isEqualTo("ACTIVE");
        assertThat(controlView(id).getBoolean("billing")).isTrue();
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(25))
                .until(() -> instance(id).getInteger("ssh_port") != null
                        && controlView(id).getBoolean("ssh_listening"));
        assertThat(exec(instance(id).getInteger("ssh_port"), "ubuntu", brokerKey, "echo orphan"))
                .isEqualTo("orphan\n");
    }
}
