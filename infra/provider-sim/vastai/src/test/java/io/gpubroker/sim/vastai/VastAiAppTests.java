package io.gpubroker.sim.vastai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Vast instance is the container: its published ports serve a real model server once it runs. */
class VastAiAppTests extends VastSimHarness {

    static final String VLLM_START =
            "nohup python3 -m vllm.entrypoints.openai.api_server --model Qwen/Qwen2.5-7B-Instruct"
                    + " --host 0.0.0.0 --port 8000 > /var/log/gpubroker-app.log 2>&1 &";

    @BeforeAll
    static void up() {
        // an hour of simulated load time: only advancing the clock makes an app healthy
        start(fastConfig().set("vastai.app.model-load-seconds", "3600"));
    }

    /** GET on the app: the status, or -1 when the connection is refused. */
    static int status(int port, String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (ConnectException e) {
            return -1;
        } catch (Exception e) {
            return -2;
        }
    }

    static String body(int port, String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    static long createApp(JsonObject extra) {
        JsonObject body = new JsonObject()
                .put("client_id", "me")
                .put("image", "vllm/vllm-openai:latest")
                .put("disk", 20)
                .put("label", "gpub-app")
                .put("runtype", "ssh")
                .put("cancel_unavail", true)
                .put("env", new JsonObject().put("-p 8000:8000", "1").put("MODEL_ID", "from/env"))
                .put("onstart", VLLM_START);
        body.mergeIn(extra);
        ctl("POST", "/offers/refresh", null);
        Resp r = createRaw(anyOffer().getLong("id"), body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().getLong("new_contract");
    }

    static int hostPort(JsonObject instance, int containerPort) {
        JsonArray b = instance.getJsonObject("ports").getJsonArray(containerPort + "/tcp");
        return Integer.parseInt(b.getJsonObject(0).getString("HostPort"));
    }

    static void awaitStatus(int port, int status) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> status(port, "/health") == status);
    }

    @Test
    void thePublishedPortServesTheModelFromOnstartOnceRunningAndLoaded() throws Exception {
        long id = createApp(new JsonObject());
        int port = hostPort(instance(id), 8000);
        assertThat(port).isNotEqualTo(8000).isPositive();
        assertThat(status(port, "/health"))
                .as("nothing listens before the container runs")
                .isEqualTo(-1);

        JsonObject running = awaitStatus(id, "running");
        assertThat(hostPort(running, 8000)).isEqualTo(port);
        awaitStatus(port, 503);
        assertThat(new JsonObject(body(port, "/health")).getString("status")).isEqualTo("loading");
        JsonObject app = control(id).getJsonArray("apps").getJsonObject(0);
        assertThat(app.getInteger("vm_port")).isEqualTo(8000);
        assertThat(app.getInteger("external_port")).isEqualTo(port);
        assertThat(app.getString("image")).isEqualTo("vllm/vllm-openai:latest");
        assertThat(app.getString("model")).isEqualTo("Qwen/Qwen2.5-7B-Instruct");
        assertThat(app.getBoolean("healthy")).isFalse();

        sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(port, "/health")).isEqualTo(200);
        assertThat(new JsonObject(body(port, "/v1/models"))
                        .getJsonArray("data")
                        .getJsonObject(0)
                        .getString("id"))
                .isEqualTo("Qwen/Qwen2.5-7B-Instruct");
        assertThat(control(id).getJsonArray("apps").getJsonObject(0).getBoolean("healthy"))
                .isTrue();

        assertThat(api("DELETE", "/instances/" + id + "/", null).status()).isEqualTo(200);
        awaitStatus(port, -1);
    }

    @Test
    void withoutOnstartTheModelComesFromEnvAndArgsRuntypeStartsItToo() throws Exception {
        long id = createApp(new JsonObject().put("runtype", "args").putNull("onstart"));
        JsonObject i = instance(id);
        int port = hostPort(i, 8000);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "running".equals(instance(id).getString("actual_status")));
        awaitStatus(port, 503);
        assertThat(control(id).getJsonArray("apps").getJsonObject(0).getString("model"))
                .isEqualTo("from/env");

        long withArgs = createApp(new JsonObject()
                .put("runtype", "args")
                .putNull("onstart")
                .put("args", new JsonArray().add("--model-id").add("from/args")));
        int p2 = hostPort(instance(withArgs), 8000);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "running".equals(instance(withArgs).getString("actual_status")));
        awaitStatus(p2, 503);
        assertThat(instance(withArgs).getJsonArray("image_args")).containsExactly("--model-id", "from/args");
        assertThat(control(withArgs).getJsonArray("apps").getJsonObject(0).getString("model"))
                .isEqualTo("from/args");
    }

    @Test
    void aDyingContainerTakesItsAppWith() {
        long id = createApp(new JsonObject());
        int port = hostPort(instance(id), 8000);
        awaitStatus(id, "running");
        awaitStatus(port, 503);
        assertThat(ctl(
                                "POST",
                                "/instances/" + id + "/faults",
                                new JsonObject().put("kind", "dies").encode())
                        .status())
                .isEqualTo(200);
        awaitStatus(port, -1);
        assertThat(control(id).getJsonArray("apps").getJsonObject(0).getString("state"))
                .isEqualTo("stopped");
    }

    @Test
    void imagePullFailedEndsInExitedWithTheDaemonsErrorAndNoApp() {
        assertThat(ctl(
                                "POST",
                                "/faults",
                                new JsonObject()
                                        .put("op", "instance")
                                        .put("instance_fault", "image_pull_failed")
                                        .put("count", 1)
                                        .encode())
                        .status())
                .isEqualTo(201);
        long id = createApp(new JsonObject().put("image", "vllm/vllm-openai:no-such-tag"));
        int port = hostPort(instance(id), 8000);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "exited".equals(instance(id).getString("actual_status")));
        assertThat(instance(id).getString("status_msg"))
                .isEqualTo(
                        "Error response from daemon: manifest for vllm/vllm-openai:no-such-tag not found: manifest unknown: manifest unknown");
        assertThat(instance(id).getInteger("ssh_port")).isNull();
        assertThat(status(port, "/health")).isEqualTo(-1);
        assertThat(control(id).getJsonArray("apps")).isEmpty();
        assertThat(control(id).getBoolean("billing"))
                .as("storage is still billed")
                .isTrue();
    }

    @Test
    void appNeverHealthyAndAppCrashFaults() {
        long stuck = createApp(new JsonObject());
        int stuckPort = hostPort(instance(stuck), 8000);
        awaitStatus(stuck, "running");
        awaitStatus(stuckPort, 503);
        assertThat(ctl(
                                "POST",
                                "/instances/" + stuck + "/faults",
                                new JsonObject()
                                        .put("kind", "app_never_healthy")
                                        .encode())
                        .status())
                .isEqualTo(200);

        assertThat(ctl(
                                "POST",
                                "/faults",
                                new JsonObject()
                                        .put("op", "instance")
                                        .put("instance_fault", "app_crash")
                                        .put("count", 1)
                                        .encode())
                        .status())
                .isEqualTo(201);
        long crashing = createApp(new JsonObject());
        int crashPort = hostPort(instance(crashing), 8000);
        awaitStatus(crashing, "running");
        awaitStatus(crashPort, 503);

        sim.clock().advance(Duration.ofSeconds(7200));
        assertThat(status(stuckPort, "/health")).isEqualTo(503);
        assertThat(status(stuckPort, "/v1/models")).isEqualTo(503);
        awaitStatus(crashPort, -1);
        assertThat(control(crashing).getJsonArray("apps").getJsonObject(0).getString("state"))
                .isEqualTo("crashed");
        assertThat(control(stuck).getJsonArray("apps").getJsonObject(0).getBoolean("healthy"))
                .isFalse();
    }

    @Test
    void dockerRunOverSshReachesThePortVastReports() throws Exception {
        assertThat(ctl(
                                "POST",
                                "/config",
                                new JsonObject()
                                        .put("vastai.app-autostart", false)
                                        .encode())
                        .status())
                .isEqualTo(200);
        try {
            KeyPair key = newKey();
            long id = createApp(new JsonObject().putNull("onstart"));
            attachKey(id, key);
            JsonObject running = awaitStatus(id, "running");
            int port = hostPort(running, 8000);
            assertThat(status(port, "/health")).as("no autostart").isEqualTo(-1);

            String out = awaitExec(
                    running.getInteger("ssh_port"),
                    key,
                    "docker run -d --name gpubroker-app --gpus all -p 8000:8000 vllm/vllm-openai:latest --model org/over-ssh");
            assertThat(out).matches("[0-9a-f]{64}\n");
            awaitStatus(port, 503);
            sim.clock().advance(Duration.ofSeconds(3600));
            assertThat(status(port, "/health")).isEqualTo(200);
            assertThat(new JsonObject(body(port, "/v1/models"))
                            .getJsonArray("data")
                            .getJsonObject(0)
                            .getString("id"))
                    .isEqualTo("org/over-ssh");
        } finally {
            ctl(
                    "POST",
                    "/config",
                    new JsonObject().putNull("vastai.app-autostart").encode());
        }
    }
}
