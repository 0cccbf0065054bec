package io.gpubroker.sim.trooper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every fault the control API can inject, answered the Trooper way. */
class TrooperFaultTests {

    TrooperFixture t;

    @BeforeEach
    void start() {
        t = TrooperFixture.start();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    void fault(JsonObject rule) {
        assertThat(t.control("POST", "/faults", rule).status()).isEqualTo(201);
    }

    @Test
    void rateLimitFaultAnswers429WithAndWithoutRetryAfter() {
        fault(new JsonObject().put("op", "offers").put("status", 429).put("count", 1));
        TrooperFixture.Resp bare = t.get("/api/blibs");
        assertThat(bare.status()).isEqualTo(429);
        assertThat(bare.obj().getMap()).isEqualTo(Map.of("error", "Too many requests"));
        assertThat(bare.headers().firstValue("Retry-After")).isEmpty();

        fault(new JsonObject()
                .put("op", "offers")
                .put("status", 429)
                .put("retry_after", 7)
                .put("count", 1));
        TrooperFixture.Resp withHeader = t.get("/api/blibs");
        assertThat(withHeader.status()).isEqualTo(429);
        assertThat(withHeader.headers().firstValue("Retry-After")).contains("7");
        assertThat(t.get("/api/blibs").status()).isEqualTo(200);
    }

    @Test
    void serverErrorFaultUsesTheErrorBody() {
        fault(new JsonObject()
                .put("op", "create")
                .put("status", 503)
                .put("message", "Error creating order")
                .put("count", 1));
        TrooperFixture.Resp r = t.post("/api/order", TrooperFixture.orderBody(t.availableBlib()));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.obj().getMap()).isEqualTo(Map.of("error", "Error creating order"));
        assertThat(t.get("/api/orders").arr())
                .as("the failed order created nothing")
                .isEmpty();
    }

    @Test
    void slowResponseFaultDelaysTheAnswer() {
        fault(new JsonObject().put("op", "list").put("delay_ms", 400).put("count", 1));
        long t0 = System.nanoTime();
        TrooperFixture.Resp r = t.get("/api/orders");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(390));
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void errorInside200FaultSaysSuccessFalse() {
        fault(new JsonObject()
                .put("op", "credentials")
                .put("error_200", true)
                .put("message", "Try again")
                .put("count", 1));
        int id = t.order();
        TrooperFixture.Resp r = t.post("/api/credentials", new JsonObject().put("serverId", id));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.obj().getMap()).isEqualTo(Map.of("success", false, "error", "Try again"));
    }

    @Test
    void listOutageFailsTheOrdersCallWhileServersKeepRunning() {
        int id = t.order();
        t.awaitStatus(id, "running");
        fault(new JsonObject()
                .put("op", "list")
                .put("status", 500)
                .put("message", "Error fetching orders")
                .put("count", 2));
        assertThat(t.get("/api/orders").status()).isEqualTo(500);
        assertThat(t.get("/api/orders").obj().getString("error")).isEqualTo("Error fetching orders");
        assertThat(t.orderView(id).getString("status")).isEqualTo("running");
        assertThat(t.controlInstance(id).getBoolean("billing")).isTrue();
    }

    @Test
    void destroyIsRefusedNTimesThenSucceeds() {
        int id = t.order();
        fault(new JsonObject().put("op", "destroy").put("status", 500).put("count", 2));
        assertThat(t.action(id, "terminated").status()).isEqualTo(500);
        assertThat(t.action(id, "terminated").status()).isEqualTo(500);
        assertThat(t.orderView(id).getString("status")).isNotEqualTo("terminated");
        TrooperFixture.Resp ok = t.action(id, "terminated");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(t.orderView(id).getString("status")).isEqualTo("terminated");
    }

    @Test
    void stopFaultOnlyHitsTheStopAction() {
        int id = t.order();
        t.awaitStatus(id, "running");
        fault(new JsonObject().put("op", "stop").put("status", 502).put("count", 1));
        assertThat(t.action(id, "restarted").status()).isEqualTo(200);
        assertThat(t.action(id, "stopped").status()).isEqualTo(502);
        assertThat(t.action(id, "stopped").status()).isEqualTo(200);
    }

    @Test
    void instanceDiesAfterRunningWhileDesiredStatusStaysRunning() {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "dies")
                .put("count", 1));
        int id = t.order();
        t.awaitStatus(id, "running");
        JsonObject dead = t.awaitStatus(id, "stopped");
        assertThat(dead.getString("status_user")).isEqualTo("running");
        int healthy = t.order();
        t.awaitStatus(healthy, "running");
        assertThat(t.controlInstance(healthy).getString("fault")).isNull();
    }

    @Test
    void stuckInstanceNeverReachesRunningButStillBills() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "stuck")
                .put("count", 1));
        int id = t.order();
        Thread.sleep(600);
        assertThat(t.orderView(id).getString("status")).isEqualTo("installing");
        assertThat(t.controlInstance(id).getBoolean("billing")).isTrue();
    }

    @Test
    void hostOfflineMovesTheServerToItsConfiguredStatusAndClosesSsh() {
        int id = t.order();
        int port = t.awaitStatus(id, "running").getInteger("ssh_port");
        TrooperFixture.Resp r =
                t.control("POST", "/instances/" + id + "/faults", new JsonObject().put("kind", "host_offline"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(t.orderView(id).getString("status")).isEqualTo("migrated");
        await().atMost(Duration.ofSeconds(5)).until(() -> !TrooperSimTests.listening(port));
        TrooperFixture.Resp dies =
                t.control("POST", "/instances/" + id + "/faults", new JsonObject().put("kind", "dies"));
        assertThat(dies.status()).isEqualTo(200);
        assertThat(t.orderView(id).getString("status")).isEqualTo("stopped");
        TrooperFixture.Resp unknown =
                t.control("POST", "/instances/" + id + "/faults", new JsonObject().put("kind", "melts"));
        assertThat(unknown.status()).isEqualTo(400);
    }

    @Test
    void hostOfflineCanRecoverOnANewPortWhenConfigured() {
        try (TrooperFixture s = TrooperFixture.start(
                "trooper.host-offline-recovery", "60", "trooper.status.host-offline", "restarting")) {
            int id = s.order();
            s.awaitStatus(id, "running");
            s.control("POST", "/instances/" + id + "/faults", new JsonObject().put("kind", "host_offline"));
            assertThat(s.orderView(id).getString("status")).isEqualTo("restarting");
            int port = s.awaitStatus(id, "running").getInteger("ssh_port");
            assertThat(TrooperSimTests.listening(port)).isTrue();
        }
    }

    @Test
    void sshRejectFaultRefusesThePassword() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_reject")
                .put("count", 1));
        int id = t.order();
        t.awaitStatus(id, "running");
        JsonObject c = t.credentials(id);
        assertThat(TrooperSimTests.listening(c.getInteger("ssh_port"))).isTrue();
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        assertThatThrownBy(() -> TrooperFixture.installKeyWithPassword(
                        c.getInteger("ssh_port"), "root", c.getString("password"), key))
                .isInstanceOf(Exception.class);
    }

    @Test
    void sshNeverOpensWhileTheApiSaysRunning() {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "ssh_never_open")
                .put("count", 1));
        int id = t.order();
        JsonObject v = t.awaitStatus(id, "running");
        assertThat(v.getInteger("ssh_port")).isPositive();
        assertThat(TrooperSimTests.listening(v.getInteger("ssh_port"))).isFalse();
    }

    @Test
    void gpuMismatchMakesNvidiaSmiDisagreeWithTheBlib() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "gpu_mismatch")
                .put("count", 1));
        int id = t.order();
        JsonObject v = t.awaitStatus(id, "running");
        JsonObject c = t.credentials(id);
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        TrooperFixture.installKeyWithPassword(c.getInteger("ssh_port"), "root", c.getString("password"), key);
        String smi = TrooperFixture.exec(
                c.getInteger("ssh_port"), "root", key, "nvidia-smi --query-gpu=name --format=csv,noheader");
        assertThat(smi)
                .startsWith("NVIDIA ")
                .doesNotContain(io.gpubroker.sim.core.GpuSpec.driverName(v.getString("blib_gpu_type")) + "\n");
    }

    @Test
    void orphanIsARunningTitledServerWithSsh() {
        TrooperFixture.Resp r = t.control("POST", "/orphans", new JsonObject().put("tag", "gpub-dep1-lost"));
        assertThat(r.status()).isEqualTo(201);
        int id = Integer.parseInt(r.obj().getString("id"));
        JsonObject v = t.orderView(id);
        assertThat(v.getString("title")).isEqualTo("gpub-dep1-lost");
        assertThat(v.getString("status")).isEqualTo("running");
        await().atMost(Duration.ofSeconds(5)).until(() -> t.orderView(id).getInteger("ssh_port") != null);
        assertThat(TrooperSimTests.listening(t.orderView(id).getInteger("ssh_port")))
                .isTrue();
        assertThat(t.controlInstance(id).getBoolean("billing")).isTrue();
    }

    @Test
    void configuredRateLimitAnswers429AndIsOffByDefault() {
        for (int i = 0; i < 20; i++) {
            assertThat(t.get("/api/orders").status()).isEqualTo(200);
        }
        try (TrooperFixture limited =
                TrooperFixture.start("trooper.rate-limit-per-second", "3", "trooper.rate-limit-retry-after", "2")) {
            int limitedCount = 0;
            for (int i = 0; i < 8; i++) {
                TrooperFixture.Resp r = limited.get("/api/orders");
                if (r.status() == 429) {
                    limitedCount++;
                    assertThat(r.obj().getString("error")).isEqualTo("Too many requests");
                    assertThat(r.headers().firstValue("Retry-After")).contains("2");
                }
            }
            assertThat(limitedCount).isGreaterThanOrEqualTo(2);
        }
    }
}
