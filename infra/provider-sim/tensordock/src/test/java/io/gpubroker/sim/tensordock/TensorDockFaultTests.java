package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.tensordock.TdTestSupport.awaitSsh;
import static io.gpubroker.sim.tensordock.TdTestSupport.createBody;
import static io.gpubroker.sim.tensordock.TdTestSupport.exec;
import static io.gpubroker.sim.tensordock.TdTestSupport.newKey;
import static io.gpubroker.sim.tensordock.TdTestSupport.publicLine;
import static io.gpubroker.sim.tensordock.TdTestSupport.sshPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TensorDockFaultTests {

    static TdTestSupport td;

    @BeforeAll
    static void start() {
        td = new TdTestSupport(TdTestSupport.testConfig());
    }

    @AfterAll
    static void stop() {
        td.close();
    }

    @BeforeEach
    void reset() {
        td.reset();
    }

    @Test
    void an429FaultCarriesRetryAfterWhenAskedAndTheNextCallSucceeds() {
        td.fault("{\"op\":\"list\",\"status\":429,\"retry_after\":7,\"count\":1}");
        TdTestSupport.Res limited = td.call("GET", "/instances", null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isEqualTo("7");
        assertThat(limited.json().getString("error")).isNotBlank();
        assertThat(td.call("GET", "/instances", null).status()).isEqualTo(200);
    }

    @Test
    void an429FaultWithoutRetryAfterSendsNoRetryAfterHeader() {
        td.fault("{\"op\":\"offers\",\"status\":429,\"count\":1}");
        TdTestSupport.Res limited = td.call("GET", "/locations", null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isNull();
    }

    @Test
    void a5xxFaultAnswersInTensorDocksErrorShape() {
        td.fault("{\"op\":\"create\",\"status\":503,\"count\":1}");
        TdTestSupport.Res r =
                td.call("POST", "/instances", createBody("gpub-5xx", td.pickOffer(), publicLine(newKey())));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.json().getString("error")).isEqualTo("injected fault");
        assertThat(td.call("GET", "/_sim/instances", null).json().getInteger("live"))
                .isZero();
    }

    @Test
    void aSlowResponseFaultDelaysTheAnswer() {
        td.fault("{\"op\":\"get\",\"delay_ms\":400,\"count\":1}");
        String id = td.create("gpub-slow", publicLine(newKey()));
        long t0 = System.nanoTime();
        TdTestSupport.Res r = td.call("GET", "/instances/" + id, null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).isEqualTo(200);
        assertThat(ms).isGreaterThanOrEqualTo(400);
        assertThat(r.json().getString("id")).isEqualTo(id);
    }

    @Test
    void anError200FaultReturnsHttp200WithAStatusAndErrorBody() {
        td.fault(
                "{\"op\":\"create\",\"error_200\":true,\"message\":\"unexpected error during deployment\",\"count\":1}");
        TdTestSupport.Res r =
                td.call("POST", "/instances", createBody("gpub-e200", td.pickOffer(), publicLine(newKey())));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getInteger("status")).isEqualTo(400);
        assertThat(r.json().getString("error")).isEqualTo("unexpected error during deployment");
    }

    @Test
    void aListOutageFailsTheListWithoutHidingInstances() {
        String id = td.create("gpub-outage", publicLine(newKey()));
        td.fault("{\"op\":\"list\",\"status\":503,\"count\":2}");
        assertThat(td.call("GET", "/instances", null).status()).isEqualTo(503);
        assertThat(td.call("GET", "/instances", null).status()).isEqualTo(503);
        JsonArray listed =
                td.call("GET", "/instances", null).json().getJsonObject("data").getJsonArray("instances");
        assertThat(listed).extracting(o -> ((JsonObject) o).getString("id")).containsExactly(id);
    }

    @Test
    void destroyIsRefusedNTimesThenSucceeds() {
        String id = td.create("gpub-refuse", publicLine(newKey()));
        td.awaitStatus(id, "running");
        td.fault("{\"op\":\"destroy\",\"status\":500,\"count\":2}");
        assertThat(td.call("DELETE", "/instances/" + id, null).status()).isEqualTo(500);
        assertThat(td.call("DELETE", "/instances/" + id, null).status()).isEqualTo(500);
        assertThat(td.controlView(id).getBoolean("billing")).isTrue();
        assertThat(td.call("DELETE", "/instances/" + id, null).status()).isEqualTo(200);
        assertThat(td.call("GET", "/instances/" + id, null).status()).isEqualTo(404);
        assertThat(td.controlView(id).getBoolean("billing")).isFalse();
    }

    @Test
    void anInstanceWithTheDiesFaultStopsShortlyAfterRunning() {
        td.fault("{\"op\":\"instance\",\"instance_fault\":\"dies\",\"count\":1}");
        KeyPair key = newKey();
        String id = td.create("gpub-dies", publicLine(key));
        JsonObject running = td.awaitStatus(id, "running");
        td.awaitStatus(id, "stopped");
        TdTestSupport.awaitSshRefused(sshPort(running), "user", key);
        assertThat(td.controlView(id).getString("fault")).isEqualTo("dies");
        assertThat(td.controlView(id).getBoolean("ssh_listening")).isFalse();
        String healthy = td.create("gpub-healthy", publicLine(newKey()));
        td.awaitStatus(healthy, "running");
        assertThat(td.controlView(healthy).getString("fault")).isNull();
    }

    @Test
    void theControlApiCanKillARunningInstanceOrTakeItsHostOffline() {
        KeyPair key = newKey();
        String a = td.create("gpub-kill", publicLine(key));
        String b = td.create("gpub-offline", publicLine(key));
        td.awaitStatus(a, "running");
        int portB = sshPort(td.awaitStatus(b, "running"));
        awaitSsh(portB, "user", key);

        assertThat(td.call("POST", "/_sim/instances/" + a + "/faults", new JsonObject().put("kind", "dies"))
                        .status())
                .isEqualTo(200);
        assertThat(td.instance(a).getString("status")).isEqualTo("stopped");

        td.call("POST", "/_sim/instances/" + b + "/faults", new JsonObject().put("kind", "host_offline"));
        assertThat(td.instance(b).getString("status")).isEqualTo("error");
        TdTestSupport.awaitSshRefused(portB, "user", key);

        TdTestSupport.Res unknown =
                td.call("POST", "/_sim/instances/" + b + "/faults", new JsonObject().put("kind", "meteor"));
        assertThat(unknown.status()).isEqualTo(400);
    }

    @Test
    void theSshRejectFaultRefusesEvenTheInjectedKey() throws Exception {
        td.fault("{\"op\":\"instance\",\"instance_fault\":\"ssh_reject\",\"count\":1}");
        KeyPair key = newKey();
        String id = td.create("gpub-reject", publicLine(key));
        int port = sshPort(td.awaitStatus(id, "running"));
        await().atMost(Duration.ofSeconds(5)).until(() -> td.controlView(id).getInteger("ssh_keys", 0) == 1);
        assertThat(td.controlView(id).getBoolean("ssh_listening")).isTrue();
        assertThatThrownBy(() -> exec(port, "user", key, "echo ok")).isInstanceOf(Exception.class);
    }

    @Test
    void theSshNeverOpenFaultReportsAPortNobodyListensOn() {
        td.fault("{\"op\":\"instance\",\"instance_fault\":\"ssh_never_open\",\"count\":1}");
        String id = td.create("gpub-closed", publicLine(newKey()));
        int port = sshPort(td.awaitStatus(id, "running"));
        assertThat(port).isPositive();
        assertThat(td.controlView(id).getBoolean("ssh_listening")).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void theGpuMismatchFaultMakesNvidiaSmiDisagreeWithTheOffer() throws Exception {
        td.fault("{\"op\":\"instance\",\"instance_fault\":\"gpu_mismatch\",\"count\":1}");
        KeyPair key = newKey();
        String id = td.create("gpub-liar", publicLine(key));
        int port = sshPort(td.awaitStatus(id, "running"));
        awaitSsh(port, "user", key);
        String offered = td.controlView(id).getString("gpu");
        String reported = exec(port, "user", key, "nvidia-smi --query-gpu=name --format=csv,noheader")
                .trim();
        assertThat(reported).startsWith("NVIDIA ").isNotEqualTo(io.gpubroker.sim.core.GpuSpec.driverName(offered));
    }

    @Test
    void theStuckFaultNeverReachesRunning() throws Exception {
        td.fault("{\"op\":\"instance\",\"instance_fault\":\"stuck\",\"count\":1}");
        String stuck = td.create("gpub-stuck", publicLine(newKey()));
        String healthy = td.create("gpub-fine", publicLine(newKey()));
        td.awaitStatus(healthy, "running");
        Thread.sleep(300);
        JsonObject vm = td.instance(stuck);
        assertThat(vm.getString("status")).isEqualTo("creating");
        assertThat(vm.getString("ipAddress")).isNull();
        assertThat(td.controlView(stuck).getBoolean("billing")).isFalse();
        assertThat(td.call("DELETE", "/instances/" + stuck, null).status()).isEqualTo(200);
    }

    @Test
    void anOrphanAppearsRunningUnderItsTagWithWorkingSsh() {
        KeyPair key = newKey();
        TdTestSupport.Res r = td.call(
                "POST",
                "/_sim/orphans",
                new JsonObject().put("tag", "gpub-dep1-forgotten").put("ssh_key", publicLine(key)));
        assertThat(r.status()).isEqualTo(201);
        String id = r.json().getString("id");
        assertThat(r.json().getString("tag")).isEqualTo("gpub-dep1-forgotten");
        JsonObject listed = td.call("GET", "/instances", null)
                .json()
                .getJsonObject("data")
                .getJsonArray("instances")
                .getJsonObject(0);
        assertThat(listed.getString("id")).isEqualTo(id);
        assertThat(listed.getJsonObject("attributes").getString("name")).isEqualTo("gpub-dep1-forgotten");
        assertThat(listed.getJsonObject("attributes").getString("status")).isEqualTo("running");
        assertThat(td.controlView(id).getBoolean("billing")).isTrue();
        JsonObject vm = td.awaitInstance(
                id,
                i -> !i.getJsonArray("portForwards").isEmpty()
                        && td.controlView(id).getBoolean("ssh_listening", false));
        awaitSsh(sshPort(vm), "user", key);
        assertThat(td.call("DELETE", "/instances/" + id, null).status()).isEqualTo(200);
    }
}
