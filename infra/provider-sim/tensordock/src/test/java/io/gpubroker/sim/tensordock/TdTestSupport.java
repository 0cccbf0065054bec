package io.gpubroker.sim.tensordock;

import static org.awaitility.Awaitility.await;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/** A TensorDock simulator in-process with a 300x clock, an HTTP client that speaks its API, and an SSH client. */
final class TdTestSupport implements AutoCloseable {

    /** One HTTP answer: status, raw body, headers. */
    record Res(int status, String body, java.net.http.HttpHeaders headers) {
        JsonObject json() {
            return new JsonObject(body);
        }

        JsonArray array() {
            return new JsonArray(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    static final SshClient SSH = SshClient.setUpDefaultClient();

    static {
        SSH.setServerKeyVerifier((session, address, key) -> true);
        SSH.start();
    }

    final TensorDockSim sim;
    final Simulators sims;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TdTestSupport(SimConfig config) {
        this.sim = new TensorDockSim(config, new SimClock(Instant.now(), 300));
        this.sims = Simulators.startOne(sim, 0);
    }

    static SimConfig testConfig() {
        return new SimConfig()
                .set("tensordock.offers", "30")
                .set("tensordock.snapshot-refresh", "3600")
                .set("tensordock.price-drift-interval", "0");
    }

    Res call(String method, String path, Object body) {
        return call(method, path, body, "Bearer " + sim.apiKey());
    }

    Res call(String method, String path, Object body, String authorization) {
        String url = path.startsWith("/_sim") ? "http://127.0.0.1:" + sim.port() + path : sim.baseUrl() + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(20))
                .header("Accept", "application/json")
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        String text = body == null ? "" : body instanceof String s ? s : Json.encode(body);
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.body(), r.headers());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    void reset() {
        call("POST", "/_sim/reset", null);
    }

    void fault(String json) {
        Res r = call("POST", "/_sim/faults", json);
        if (r.status() != 201) {
            throw new IllegalStateException("fault rejected: " + r.body());
        }
    }

    /** A location and GPU the listing advertises, with the hostnodes behind it. */
    record Pick(String locationId, String v0Name, int maxCount) {}

    Pick pickOffer() {
        for (Object o :
                call("GET", "/locations", null).json().getJsonObject("data").getJsonArray("locations")) {
            JsonObject loc = (JsonObject) o;
            for (Object g : loc.getJsonArray("gpus")) {
                JsonObject gpu = (JsonObject) g;
                if (gpu.getInteger("max_count") >= 1) {
                    return new Pick(loc.getString("id"), gpu.getString("v0Name"), gpu.getInteger("max_count"));
                }
            }
        }
        throw new IllegalStateException("no offer advertised");
    }

    static JsonObject createBody(String name, Pick p, String sshKey) {
        return new JsonObject()
                .put(
                        "data",
                        new JsonObject()
                                .put("type", "virtualmachine")
                                .put(
                                        "attributes",
                                        new JsonObject()
                                                .put("name", name)
                                                .put("type", "virtualmachine")
                                                .put("image", "ubuntu2204")
                                                .put("location_id", p.locationId())
                                                .put(
                                                        "resources",
                                                        new JsonObject()
                                                                .put("vcpu_count", 2)
                                                                .put("ram_gb", 4)
                                                                .put("storage_gb", 100)
                                                                .put(
                                                                        "gpus",
                                                                        new JsonObject()
                                                                                .put(
                                                                                        p.v0Name(),
                                                                                        new JsonObject()
                                                                                                .put("count", 1))))
                                                .put(
                                                        "port_forwards",
                                                        new JsonArray()
                                                                .add(new JsonObject()
                                                                        .put("internal_port", 22)
                                                                        .put("external_port", 20000)))
                                                .put("ssh_key", sshKey)));
    }

    static JsonObject attrs(JsonObject body) {
        return body.getJsonObject("data").getJsonObject("attributes");
    }

    /** Creates a VM (ssh_key attribute) and returns its id. */
    String create(String name, String sshKey) {
        Res r = call("POST", "/instances", createBody(name, pickOffer(), sshKey));
        if (r.status() != 200 || r.json().getJsonObject("data") == null) {
            throw new IllegalStateException("create failed: " + r.status() + " " + r.body());
        }
        return r.json().getJsonObject("data").getString("id");
    }

    JsonObject instance(String id) {
        return call("GET", "/instances/" + id, null).json();
    }

    JsonObject awaitStatus(String id, String status) {
        return awaitInstance(id, i -> status.equals(i.getString("status")));
    }

    JsonObject awaitInstance(String id, Predicate<JsonObject> until) {
        JsonObject[] last = new JsonObject[1];
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(40))
                .until(() -> {
                    last[0] = instance(id);
                    return until.test(last[0]);
                });
        return last[0];
    }

    /** The external port TensorDock reports for internal port 22. */
    static int sshPort(JsonObject instance) {
        for (Object o : instance.getJsonArray("portForwards")) {
            JsonObject f = (JsonObject) o;
            if (f.getInteger("internal_port") == 22) {
                return f.getInteger("external_port");
            }
        }
        throw new IllegalStateException("no port 22 forward in " + instance);
    }

    JsonObject controlView(String id) {
        for (Object o : call("GET", "/_sim/instances", null).json().getJsonArray("instances")) {
            if (((JsonObject) o).getString("id").equals(id)) {
                return (JsonObject) o;
            }
        }
        throw new IllegalStateException("no control view of " + id);
    }

    static KeyPair newKey() {
        try {
            return KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String publicLine(KeyPair key) {
        return PublicKeyEntry.toString(key.getPublic()) + " broker@test";
    }

    static String exec(int port, String user, KeyPair key, String command) throws Exception {
        try (ClientSession s = SSH.connect(user, "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(5));
            return s.executeRemoteCommand(command);
        }
    }

    /** Waits until {@code user} can log in with {@code key} (cloud-init installs keys after running). */
    static void awaitSsh(int port, String user, KeyPair key) {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> exec(port, user, key, "echo ok").equals("ok\n"));
    }

    /** Waits until logging in with {@code key} fails (SSH servers close off the event loop). */
    static void awaitSshRefused(int port, String user, KeyPair key) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    try {
                        exec(port, user, key, "echo ok");
                        return false;
                    } catch (Exception e) {
                        return true;
                    }
                });
    }

    @Override
    public void close() {
        sims.close();
    }
}
