package io.gpubroker.sim.tensordock;

import static io.gpubroker.sim.tensordock.TdTestSupport.attrs;
import static io.gpubroker.sim.tensordock.TdTestSupport.awaitSsh;
import static io.gpubroker.sim.tensordock.TdTestSupport.createBody;
import static io.gpubroker.sim.tensordock.TdTestSupport.newKey;
import static io.gpubroker.sim.tensordock.TdTestSupport.publicLine;
import static io.gpubroker.sim.tensordock.TdTestSupport.sshPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code docker run -p H:C} over SSH on a TensorDock VM answers at the external port of H's forward. */
class TensorDockAppTests {

    static final String RUN = "sudo docker run -d --name gpubroker-app --restart unless-stopped --gpus all --ipc=host"
            + " -p 8000:8000 -e MODEL_ID=org/td-model -e PORT=8000 ghcr.io/huggingface/text-generation-inference:2.4"
            + " --model-id org/td-model --hostname 0.0.0.0 --port 8000";

    record Exec(int exit, String out, String err) {}

    static TdTestSupport td;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    static void start() {
        // an hour of simulated load time: only advancing the clock makes an app healthy
        td = new TdTestSupport(TdTestSupport.testConfig().set("tensordock.app.model-load-seconds", "3600"));
    }

    @AfterAll
    static void stop() {
        td.close();
    }

    @BeforeEach
    void reset() {
        td.reset();
    }

    static Exec ssh(int port, KeyPair key, String command) throws Exception {
        try (ClientSession s = TdTestSupport.SSH
                .connect("user", "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(5));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (ChannelExec ch = s.createExecChannel(command)) {
                ch.setOut(out);
                ch.setErr(err);
                ch.open().verify(Duration.ofSeconds(5));
                ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
                return new Exec(ch.getExitStatus(), out.toString(), err.toString());
            }
        }
    }

    /** GET on the app: the status, or -1 when the connection is refused. */
    static int status(int port, String path) {
        try {
            return HTTP.send(
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

    static void awaitHealth(int port, int status) {
        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> status(port, "/health") == status);
    }

    static int forwardOf(JsonObject vm, int internal) {
        for (Object o : vm.getJsonArray("portForwards")) {
            JsonObject f = (JsonObject) o;
            if (f.getInteger("internal_port") == internal) {
                return f.getInteger("external_port");
            }
        }
        throw new IllegalStateException("no forward of " + internal + " in " + vm);
    }

    /** A running VM forwarding 22 and 8000 whose SSH takes {@code key}; returns the instance. */
    static JsonObject runningVm(KeyPair key) {
        JsonObject body = createBody("gpub-app", td.pickOffer(), publicLine(key));
        attrs(body)
                .getJsonArray("port_forwards")
                .add(new JsonObject().put("internal_port", 8000).put("external_port", 20001));
        String id =
                td.call("POST", "/instances", body).json().getJsonObject("data").getString("id");
        JsonObject vm =
                td.awaitInstance(id, i -> "running".equals(i.getString("status")) && i.getString("ipAddress") != null);
        awaitSsh(sshPort(vm), "user", key);
        return vm;
    }

    @Test
    void dockerRunOverSshServesTheModelAtTheReportedForwardUntilTheVmIsDeleted() throws Exception {
        KeyPair key = newKey();
        JsonObject vm = runningVm(key);
        String id = vm.getString("id");
        int app = forwardOf(vm, 8000);
        assertThat(app).isNotEqualTo(20001);
        assertThat(status(app, "/health")).as("nothing runs before docker run").isEqualTo(-1);

        Exec r = ssh(sshPort(vm), key, RUN);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("[0-9a-f]{64}\n");
        assertThat(status(app, "/health")).isEqualTo(503);
        JsonObject view = td.controlView(id).getJsonArray("apps").getJsonObject(0);
        assertThat(view.getInteger("vm_port")).isEqualTo(8000);
        assertThat(view.getInteger("external_port")).isEqualTo(app);
        assertThat(view.getString("image")).isEqualTo("ghcr.io/huggingface/text-generation-inference:2.4");
        assertThat(view.getString("model")).isEqualTo("org/td-model");
        assertThat(view.getBoolean("healthy")).isFalse();

        td.sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(app, "/health")).isEqualTo(200);
        String models = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app + "/v1/models"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(new JsonObject(models).getJsonArray("data").getJsonObject(0).getString("id"))
                .isEqualTo("org/td-model");
        assertThat(td.controlView(id).getJsonArray("apps").getJsonObject(0).getBoolean("healthy"))
                .isTrue();
        assertThat(ssh(sshPort(vm), key, "docker ps").out())
                .contains("gpubroker-app")
                .contains("0.0.0.0:8000->8000/tcp");

        assertThat(td.call("DELETE", "/instances/" + id, null).status()).isEqualTo(200);
        awaitHealth(app, -1);
    }

    @Test
    void aStoppedVmTakesTheAppDownAndItsRestartPolicyBringsItBack() throws Exception {
        KeyPair key = newKey();
        JsonObject vm = runningVm(key);
        String id = vm.getString("id");
        int app = forwardOf(vm, 8000);
        assertThat(ssh(sshPort(vm), key, RUN).exit()).isZero();
        td.sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(app, "/health")).isEqualTo(200);

        assertThat(td.call("POST", "/instances/" + id + "/stop", null).status()).isEqualTo(200);
        awaitHealth(app, -1);
        td.awaitStatus(id, "stopped");
        assertThat(td.call("POST", "/instances/" + id + "/start", null).status())
                .isEqualTo(200);
        td.awaitStatus(id, "running");
        awaitHealth(app, 503);
        td.sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(app, "/health")).isEqualTo(200);
    }

    @Test
    void appFaultsOnTensorDock() throws Exception {
        td.fault("{\"op\":\"instance\",\"instance_fault\":\"app_never_healthy\",\"count\":1}");
        KeyPair key = newKey();
        JsonObject never = runningVm(key);
        int neverPort = forwardOf(never, 8000);
        assertThat(ssh(sshPort(never), key, RUN).exit()).isZero();

        JsonObject crashing = runningVm(key);
        int crashPort = forwardOf(crashing, 8000);
        assertThat(ssh(sshPort(crashing), key, RUN).exit()).isZero();
        td.sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(crashPort, "/health")).isEqualTo(200);
        assertThat(td.call(
                                "POST",
                                "/_sim/instances/" + crashing.getString("id") + "/faults",
                                new JsonObject().put("kind", "app_crash"))
                        .status())
                .isEqualTo(200);
        assertThat(status(crashPort, "/health")).isEqualTo(-1);
        assertThat(status(neverPort, "/health")).isEqualTo(503);

        JsonObject pulling = runningVm(key);
        assertThat(td.call(
                                "POST",
                                "/_sim/instances/" + pulling.getString("id") + "/faults",
                                new JsonObject().put("kind", "image_pull_failed"))
                        .status())
                .isEqualTo(200);
        Exec r = ssh(sshPort(pulling), key, RUN);
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err())
                .startsWith("Unable to find image 'ghcr.io/huggingface/text-generation-inference:2.4' locally")
                .contains("manifest unknown");
        assertThat(status(forwardOf(pulling, 8000), "/health")).isEqualTo(-1);
    }
}
