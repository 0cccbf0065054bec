package io.gpubroker.sim.barrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One Barrack simulator per test class on a 300x clock, an HTTP client and a MINA SSH client. */
abstract class BarrackTestSupport {

    static final String STOCK = "CANADA-1|RTX-A6000|1";

    static SimConfig config;
    static BarrackSim sim;
    static Simulators sims;
    static SshClient ssh;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static KeyPair brokerKey;
    static KeyPair otherKey;

    record Resp(int status, JsonObject json, HttpResponse<String> raw) {
        JsonObject data() {
            return json.getJsonObject("data");
        }
    }

    @BeforeAll
    static void startSimulator() throws Exception {
        config = new SimConfig()
                .set("barrack.offers", "30")
                .set("barrack.stock-refresh", "36000")
                .set("barrack.price-drift-interval", "36000");
        sim = new BarrackSim(config, new SimClock(Instant.now(), 300));
        sims = Simulators.startOne(sim, 0);
        ssh = SshClient.setUpDefaultClient();
        ssh.start();
        brokerKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        otherKey = KeyUtils.generateKeyPair("ssh-ed25519", 256);
    }

    @AfterAll
    static void stopSimulator() throws Exception {
        ssh.stop();
        sims.close();
    }

    @BeforeEach
    void resetSimulator() throws Exception {
        assertThat(control("POST", "/reset", null).status()).isEqualTo(200);
        control(
                "POST",
                "/stock",
                new JsonObject()
                        .put("region", "CANADA-1")
                        .put("gpu_model", "RTX-A6000")
                        .put("gpu_count", 1)
                        .put("available", 10)
                        .put("refresh", true));
        assertThat(api(
                                "POST",
                                "/ssh-keys/",
                                new JsonObject().put("name", "broker-key").put("public_key", publicKey(brokerKey)))
                        .status())
                .isEqualTo(201);
    }

    static String publicKey(KeyPair kp) {
        return PublicKeyEntry.toString(kp.getPublic()) + " broker@test";
    }

    static Resp api(String method, String path, JsonObject body) throws Exception {
        return request(method, sim.baseUrl() + path, body, sim.apiKey());
    }

    static Resp control(String method, String path, JsonObject body) throws Exception {
        return request(method, sim.controlUrl() + path, body, null);
    }

    static Resp request(String method, String url, JsonObject body, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonObject json = r.body().startsWith("{") ? new JsonObject(r.body()) : null;
        return new Resp(r.statusCode(), json, r);
    }

    /** The documented deploy request (image boot, registered key by name, public IP, tcp/22 rule). */
    static JsonObject deployBody(String name) {
        return new JsonObject()
                .put("gpu_model", "RTX-A6000")
                .put("gpu_count", 1)
                .put("region", "CANADA-1")
                .put("instance_name", name)
                .put("image_name", "Ubuntu Server 22.04 LTS R535 CUDA 12.2")
                .put("ssh_key", "broker-key")
                .put("public_ip", true)
                .put(
                        "security_rules",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("direction", "ingress")
                                        .put("protocol", "tcp")
                                        .put("ethertype", "IPv4")
                                        .put("port_range_min", 22)
                                        .put("port_range_max", 22)
                                        .put("remote_ip_prefix", "0.0.0.0/0")))
                .put("os_volume", new JsonObject().put("size", 100))
                .put("existing_volumes", new JsonArray())
                .put("volumes", new JsonArray())
                .put("boot_from_volume", false);
    }

    static String deploy(String name) throws Exception {
        Resp r = api("POST", "/deploy-server/", deployBody(name));
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.data().getString("instance_id");
    }

    static JsonObject instance(String id) throws Exception {
        Resp r = api("GET", "/instances/" + id + "/", null);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        return r.data();
    }

    /** Waits for ACTIVE with an attached public IP and returns the instance. */
    static JsonObject awaitReachable(String id) {
        return await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(25))
                .until(
                        () -> instance(id),
                        i -> "ACTIVE".equals(i.getString("status")) && i.getString("ip_address") != null);
    }

    static JsonObject controlView(String id) throws Exception {
        for (Object o : control("GET", "/instances", null).json().getJsonArray("instances")) {
            JsonObject j = (JsonObject) o;
            if (id.equals(j.getString("id"))) {
                return j;
            }
        }
        throw new AssertionError("no instance " + id + " in /_sim/instances");
    }

    static String exec(int port, String user, KeyPair key, String command) throws Exception {
        try (ClientSession s = ssh.connect(user, "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(5));
            return s.executeRemoteCommand(command);
        }
    }

    static JsonObject fault(JsonObject rule) throws Exception {
        Resp r = control("POST", "/faults", rule);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        return r.json();
    }
}
