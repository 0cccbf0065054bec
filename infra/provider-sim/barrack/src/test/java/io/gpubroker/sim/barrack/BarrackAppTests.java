package io.gpubroker.sim.barrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Barrack's simulator-only {@code sim_port_map}: where a VM's rule-opened port answers on loopback. */
class BarrackAppTests extends BarrackTestSupport {

    static final String RUN = "docker run -d --name gpubroker-app --restart unless-stopped --gpus all --ipc=host"
            + " -p 8000:8000 -e MODEL_ID=org/barrack -e PORT=8000 vllm/vllm-openai:latest"
            + " --model org/barrack --host 0.0.0.0 --port 8000";

    record Exec(int exit, String out, String err) {}

    @BeforeEach
    void slowModels() throws Exception {
        // an hour of simulated load time (set through the control API): only advancing the clock makes an app healthy
        Resp r = control("POST", "/config", new JsonObject().put("barrack.app.model-load-seconds", 3600));
        assertThat(r.status()).isEqualTo(200);
        assertThat(control("GET", "/config", null).json().getString("barrack.app.model-load-seconds"))
                .isEqualTo("3600");
    }

    static JsonObject deployBodyWithAppPorts(String name) {
        JsonObject body = deployBody(name);
        body.getJsonArray("security_rules")
                .add(rule(8000, 8000))
                .add(rule(7000, 7001))
                .add(new JsonObject()
                        .put("direction", "egress")
                        .put("protocol", "tcp")
                        .put("port_range_min", 5000)
                        .put("port_range_max", 5000));
        return body;
    }

    static JsonObject rule(int min, int max) {
        return new JsonObject()
                .put("direction", "ingress")
                .put("protocol", "tcp")
                .put("ethertype", "IPv4")
                .put("port_range_min", min)
                .put("port_range_max", max)
                .put("remote_ip_prefix", "0.0.0.0/0");
    }

    static Exec ssh(int port, String command) throws Exception {
        try (ClientSession s = BarrackTestSupport.ssh
                .connect("ubuntu", "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPublicKeyIdentity(brokerKey);
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

    @Test
    void simPortMapIsThereFromDeployAndDockerRunAnswersAtIt() throws Exception {
        Resp deployed = api("POST", "/deploy-server/", deployBodyWithAppPorts("gpub-app"));
        assertThat(deployed.status()).isEqualTo(201);
        String id = deployed.data().getString("instance_id");
        JsonObject first = instance(id);
        assertThat(first.getString("status"))
                .as("not up yet (the machine may be slow)")
                .isIn("CREATING", "BUILD");
        JsonObject map = first.getJsonObject("sim_port_map");
        assertThat(map.fieldNames()).containsExactly("8000", "7000", "7001");
        int app = map.getInteger("8000");
        assertThat(app).isNotEqualTo(8000).isPositive();
        assertThat(deployed.data().getJsonObject("sim_port_map")).isEqualTo(map);
        assertThat(status(app, "/health")).isEqualTo(-1);

        JsonObject vm = awaitReachable(id);
        assertThat(vm.getJsonObject("sim_port_map")).isEqualTo(map);
        Exec r = ssh(vm.getInteger("ssh_port"), RUN);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("[0-9a-f]{64}\n");
        assertThat(status(app, "/health")).isEqualTo(503);
        JsonObject view = controlView(id).getJsonArray("apps").getJsonObject(0);
        assertThat(view.getInteger("vm_port")).isEqualTo(8000);
        assertThat(view.getInteger("external_port")).isEqualTo(app);
        assertThat(view.getString("model")).isEqualTo("org/barrack");
        assertThat(view.getString("image")).isEqualTo("vllm/vllm-openai:latest");
        assertThat(view.getBoolean("healthy")).isFalse();

        sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(app, "/health")).isEqualTo(200);
        String models = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app + "/v1/models"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(new JsonObject(models).getJsonArray("data").getJsonObject(0).getString("id"))
                .isEqualTo("org/barrack");
        assertThat(controlView(id).getJsonArray("apps").getJsonObject(0).getBoolean("healthy"))
                .isTrue();

        // a port without a rule: docker publishes it on a fresh loopback port, recorded in the map
        assertThat(ssh(vm.getInteger("ssh_port"), "docker run -d -p 9000:9000 img")
                        .exit())
                .isZero();
        assertThat(instance(id).getJsonObject("sim_port_map").getInteger("9000"))
                .isPositive();

        assertThat(api("DELETE", "/instances/" + id + "/", null).status()).isEqualTo(200);
        awaitHealth(app, -1);
    }

    @Test
    void appFaultsOnBarrack() throws Exception {
        fault(new JsonObject()
                .put("op", "instance")
                .put("instance_fault", "app_never_healthy")
                .put("count", 1));
        String never = api("POST", "/deploy-server/", deployBodyWithAppPorts("gpub-never"))
                .data()
                .getString("instance_id");
        String crash = api("POST", "/deploy-server/", deployBodyWithAppPorts("gpub-crash"))
                .data()
                .getString("instance_id");
        String pull = api("POST", "/deploy-server/", deployBodyWithAppPorts("gpub-pull"))
                .data()
                .getString("instance_id");
        JsonObject neverVm = awaitReachable(never);
        JsonObject crashVm = awaitReachable(crash);
        JsonObject pullVm = awaitReachable(pull);
        assertThat(ssh(neverVm.getInteger("ssh_port"), RUN).exit()).isZero();
        assertThat(ssh(crashVm.getInteger("ssh_port"), RUN).exit()).isZero();
        int neverPort = neverVm.getJsonObject("sim_port_map").getInteger("8000");
        int crashPort = crashVm.getJsonObject("sim_port_map").getInteger("8000");

        sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(crashPort, "/health")).isEqualTo(200);
        assertThat(status(neverPort, "/health")).isEqualTo(503);
        assertThat(control("POST", "/instances/" + crash + "/faults", new JsonObject().put("kind", "app_crash"))
                        .status())
                .isEqualTo(200);
        assertThat(status(crashPort, "/health")).isEqualTo(-1);
        JsonArray apps = controlView(crash).getJsonArray("apps");
        assertThat(apps.getJsonObject(0).getString("state")).isEqualTo("crashed");

        assertThat(control("POST", "/instances/" + pull + "/faults", new JsonObject().put("kind", "image_pull_failed"))
                        .status())
                .isEqualTo(200);
        Exec r = ssh(pullVm.getInteger("ssh_port"), "sudo " + RUN);
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.err())
                .startsWith("Unable to find image 'vllm/vllm-openai:latest' locally")
                .contains("manifest unknown");
        assertThat(status(pullVm.getJsonObject("sim_port_map").getInteger("8000"), "/health"))
                .isEqualTo(-1);
    }
}
