package io.gpubroker.sim.vastai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VastAiFaultTests extends VastSimHarness {

    @BeforeAll
    static void up() {
        start(fastConfig());
    }

    private static void fault(JsonObject rule) {
        assertThat(ctl("POST", "/faults", rule.encode()).status()).isEqualTo(201);
    }

    private static long runningWithKey(KeyPair key) {
        long id = create(anyOffer().getLong("id"), "gpub-fault");
        attachKey(id, key);
        awaitStatus(id, "running");
        return id;
    }

    @Test
    void injected429HasVastsPlainTextBodyAndNoRetryAfter() {
        fault(new JsonObject().put("op", "offers").put("status", 429).put("count", 1));
        Resp r = api("POST", "/bundles/", "{}");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.body()).startsWith("API requests too frequent");
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        assertThat(api("POST", "/bundles/", "{}").status()).isEqualTo(200);
    }

    @Test
    void injected429CarriesRetryAfterWhenTheRuleAsksForIt() {
        fault(new JsonObject()
                .put("op", "get")
                .put("status", 429)
                .put("retry_after", 7)
                .put("count", 1));
        Resp r = api("GET", "/instances/1/", null);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("7");
    }

    @Test
    void serverErrorsUseVastsErrorBody() {
        fault(new JsonObject().put("op", "create").put("status", 503).put("count", 1));
        Resp r = createRaw(anyOffer().getLong("id"), new JsonObject().put("image", "img"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().getBoolean("success")).isFalse();
        assertThat(r.json().getString("error")).isEqualTo("server_error");
        assertThat(ctl("GET", "/instances", null).json().getJsonArray("instances"))
                .isEmpty();
    }

    @Test
    void slowResponsesAreDelayedButStillAnswered() {
        fault(new JsonObject().put("op", "balance").put("delay_ms", 400).put("count", 1));
        long t0 = System.nanoTime();
        Resp r = api("GET", "/users/current/", null);
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(380);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().containsKey("credit")).isTrue();
    }

    @Test
    void errorInsideHttp200IsASuccessFalseBody() {
        fault(new JsonObject()
                .put("op", "create")
                .put("error_200", true)
                .put("message", "scheduling failed")
                .put("count", 1));
        Resp r = createRaw(anyOffer().getLong("id"), new JsonObject().put("image", "img"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getBoolean("success")).isFalse();
        assertThat(r.json().getString("msg")).isEqualTo("scheduling failed");
        assertThat(r.json().containsKey("new_contract")).isFalse();
    }

    @Test
    void listOutageFailsTheListInsteadOfReturningNothing() {
        long id = create(anyOffer().getLong("id"), "gpub-visible");
        fault(new JsonObject().put("op", "list").put("status", 502).put("count", 2));
        assertThat(v1("").status()).isEqualTo(502);
        assertThat(v1("").status()).isEqualTo(502);
        Resp ok = v1("");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().getJsonArray("instances").getJsonObject(0).getLong("id"))
                .isEqualTo(id);
    }

    @Test
    void destroyRefusedTwiceThenSucceeds() {
        long id = create(anyOffer().getLong("id"), "gpub-stubborn");
        fault(new JsonObject().put("op", "destroy").put("status", 500).put("count", 2));
        assertThat(api("DELETE", "/instances/" + id + "/", "{}").status()).isEqualTo(500);
        assertThat(api("DELETE", "/instances/" + id + "/", "{}").status()).isEqualTo(500);
        assertThat(instance(id)).isNotNull();
        assertThat(api("DELETE", "/instances/" + id + "/", "{}").status()).isEqualTo(200);
        assertThat(instance(id)).isNull();
    }

    @Test
    void stopAndStartCanBeFaultedSeparately() {
        long id = create(anyOffer().getLong("id"), "gpub-s");
        fault(new JsonObject().put("op", "stop").put("status", 503).put("count", 1));
        assertThat(api("PUT", "/instances/" + id + "/", "{\"state\":\"stopped\"}")
                        .status())
                .isEqualTo(503);
        assertThat(api("PUT", "/instances/" + id + "/", "{\"label\":\"fine\"}").status())
                .isEqualTo(200);
    }

    @Test
    void instanceThatDiesExitsAfterRunningAndLosesSsh() {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "dies")
                .put("count", 1));
        KeyPair key = newKey();
        long id = create(anyOffer().getLong("id"), "gpub-dies");
        attachKey(id, key);
        awaitStatus(id, "running");
        JsonObject exited = awaitStatus(id, "exited");
        assertThat(exited.getString("intended_status")).isEqualTo("running");
        assertThat(exited.getString("status_msg")).contains("Error");
        assertThat(control(id).containsKey("ssh_port")).isFalse();
    }

    @Test
    void stuckInstanceNeverLeavesLoading() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "stuck")
                .put("count", 1));
        long id = create(anyOffer().getLong("id"), "gpub-stuck");
        awaitStatus(id, "loading");
        Thread.sleep(600);
        assertThat(instance(id).getString("actual_status")).isEqualTo("loading");
        assertThat(instance(id).getValue("ssh_port")).isNull();
    }

    @Test
    void hostOfflineShowsOfflineAndDropsSsh() {
        KeyPair key = newKey();
        long id = runningWithKey(key);
        int port = instance(id).getInteger("ssh_port");
        awaitExec(port, key, "echo ok");
        Resp r = ctl("POST", "/instances/" + id + "/faults", "{\"kind\": \"host_offline\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(instance(id).getString("actual_status")).isEqualTo("offline");
        assertThat(instance(id).getString("intended_status")).isEqualTo("running");
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(() -> {
            try {
                exec(port, key, "echo ok");
                return false;
            } catch (Exception e) {
                return true;
            }
        });
        assertThat(ctl("POST", "/instances/" + id + "/faults", "{\"kind\": \"melts\"}")
                        .status())
                .isEqualTo(400);
    }

    @Test
    void dyingCanAlsoBeTriggeredOnARunningInstance() {
        long id = runningWithKey(newKey());
        ctl("POST", "/instances/" + id + "/faults", "{\"kind\": \"dies\"}");
        assertThat(instance(id).getString("actual_status")).isEqualTo("exited");
    }

    @Test
    void sshRejectFaultRefusesEvenTheAttachedKey() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_reject")
                .put("count", 1));
        KeyPair key = newKey();
        long id = runningWithKey(key);
        int port = instance(id).getInteger("ssh_port");
        await().atMost(Duration.ofSeconds(5)).until(() -> control(id).getInteger("ssh_keys", 0) == 1);
        assertThatThrownBy(() -> exec(port, key, "echo ok")).isInstanceOf(Exception.class);
        assertThat(control(id).getBoolean("ssh_listening")).isTrue();
    }

    @Test
    void sshNeverOpenReportsAPortNobodyListensOn() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_never_open")
                .put("count", 1));
        KeyPair key = newKey();
        long id = runningWithKey(key);
        int port = instance(id).getInteger("ssh_port");
        assertThat(port).isPositive();
        Thread.sleep(100);
        assertThatThrownBy(() -> exec(port, key, "echo ok")).isInstanceOf(Exception.class);
        assertThat(control(id).getBoolean("ssh_listening")).isFalse();
    }

    @Test
    void gpuMismatchMakesNvidiaSmiDisagreeWithTheOffer() {
        JsonObject q = new JsonObject().put("gpu_name", new JsonObject().put("eq", "RTX 4090"));
        KeyPair key = newKey();
        long honest = create(firstOffer(q).getLong("id"), "honest");
        attachKey(honest, key);
        int honestPort = awaitStatus(honest, "running").getInteger("ssh_port");
        assertThat(awaitExec(honestPort, key, "nvidia-smi --query-gpu=name --format=csv,noheader"))
                .startsWith("NVIDIA GeForce RTX 4090");

        ctl("POST", "/offers/refresh", "{}");
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "gpu_mismatch")
                .put("count", 1));
        long liar = create(firstOffer(q).getLong("id"), "liar");
        attachKey(liar, key);
        JsonObject i = awaitStatus(liar, "running");
        assertThat(i.getString("gpu_name")).isEqualTo("RTX 4090");
        String smi = awaitExec(i.getInteger("ssh_port"), key, "nvidia-smi --query-gpu=name --format=csv,noheader");
        assertThat(smi).startsWith("NVIDIA GeForce RTX 3090");
    }

    @Test
    void cudaMismatchMakesTheHostReportAnOlderCuda() {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "cuda_mismatch")
                .put("count", 1));
        KeyPair key = newKey();
        long id = runningWithKey(key);
        assertThat(instance(id).getDouble("cuda_max_good")).isGreaterThanOrEqualTo(12.0);
        assertThat(awaitExec(instance(id).getInteger("ssh_port"), key, "nvidia-smi"))
                .contains("CUDA Version: 11.8");
    }

    @Test
    void orphanIsARunningLabelledBillingInstanceTheListShows() {
        KeyPair key = newKey();
        Resp r = ctl(
                "POST",
                "/orphans",
                new JsonObject()
                        .put("tag", "gpub-dep1-sess-lost")
                        .put("ssh_key", pub(key))
                        .encode());
        assertThat(r.status()).isEqualTo(201);
        long id = Long.parseLong(r.json().getString("id"));
        JsonObject i = awaitStatus(id, "running");
        assertThat(i.getString("label")).isEqualTo("gpub-dep1-sess-lost");
        assertThat(awaitExec(i.getInteger("ssh_port"), key, "echo mine")).isEqualTo("mine\n");
        JsonObject page = v1("?select_filters=" + enc("{\"label\":{\"eq\":\"gpub-dep1-sess-lost\"}}"))
                .json();
        assertThat(page.getJsonArray("instances")).hasSize(1);
        assertThat(page.getJsonObject("label_counts").getInteger("gpub-dep1-sess-lost"))
                .isEqualTo(1);
        assertThat(control(id).getBoolean("billing")).isTrue();
        assertThat(control(id).getString("tag")).isEqualTo("gpub-dep1-sess-lost");
    }

    @Test
    void documentedRateLimitAnswersPlainText429WhenSwitchedOn() {
        VastAiSim limited =
                new VastAiSim(fastConfig().set("vastai.rate-limit-per-second", "2"), new SimClock(Instant.now(), 300));
        try (Simulators s = Simulators.startOne(limited, 0)) {
            String auth = "Bearer " + limited.apiKey();
            int tooMany = 0;
            Resp last = null;
            for (int i = 0; i < 4; i++) {
                last = send("GET", limited.baseUrl() + "/users/current/", null, auth);
                tooMany += last.status() == 429 ? 1 : 0;
            }
            assertThat(tooMany).isGreaterThanOrEqualTo(1);
            assertThat(last.status()).isEqualTo(429);
            assertThat(last.body()).isEqualTo("API requests too frequent: endpoint threshold=2");
            assertThat(last.headers().firstValue("Retry-After")).isEmpty();
            // the limit is per endpoint
            assertThat(send("POST", limited.baseUrl() + "/bundles/", "{}", auth).status())
                    .isEqualTo(200);
        }
        assertThat(api("GET", "/users/current/", null).status())
                .as("off by default")
                .isEqualTo(200);
    }

    @Test
    void faultRulesCanTargetEveryOperationAtOnce() {
        fault(new JsonObject().put("op", "*").put("status", 500).put("count", 1));
        assertThat(api("GET", "/template/", null).status()).isEqualTo(500);
        assertThat(api("GET", "/template/", null).json().getJsonArray("templates"))
                .isNotEmpty();
    }
}
