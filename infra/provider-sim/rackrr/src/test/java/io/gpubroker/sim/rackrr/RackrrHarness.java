package io.gpubroker.sim.rackrr;

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
import java.util.function.Predicate;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/** A Rackrr simulator started in-process with a fast clock, plus an HTTP and an SSH client for it. */
final class RackrrHarness implements AutoCloseable {

    static final double CLOCK_SCALE = 300;

    final RackrrSim sim;
    final Simulators sims;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final SshClient ssh = SshClient.setUpDefaultClient();

    RackrrHarness(SimConfig config) {
        this.sim = new RackrrSim(config, new SimClock(Instant.now(), CLOCK_SCALE));
        this.sims = Simulators.startOne(sim, 0);
        ssh.start();
    }

    /** The configuration most tests use: 30 offers, manual snapshots and price drift. */
    static SimConfig testConfig() {
        return new SimConfig()
                .set("rackrr.offers", "30")
                .set("rackrr.snapshot-refresh", "0")
                .set("rackrr.price-drift-interval", "0")
                .set("rackrr.wallet.debit-interval", "60")
                .set("rackrr.readonly-api-key", "rk_live_readonly");
    }

    // ---- HTTP ----------------------------------------------------------------------------

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("Authorization", "Bearer " + sim.apiKey())
                .GET());
    }

    HttpResponse<String> post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("Authorization", "Bearer " + sim.apiKey())
                .header("Content-Type", "application/json")
                .POST(bodyOf(body)));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> control(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(sim.controlUrl() + path))
                .header("Content-Type", "application/json")
                .POST(bodyOf(body)));
    }

    JsonObject controlGet(String path) {
        return new JsonObject(
                send(HttpRequest.newBuilder(URI.create(sim.controlUrl() + path)).GET())
                        .body());
    }

    void reset() {
        control("/reset", null);
    }

    private static HttpRequest.BodyPublisher bodyOf(Object body) {
        if (body == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : body.toString());
    }

    // ---- Rackrr flows ----------------------------------------------------------------------

    JsonArray offers() {
        return new JsonArray(get("/vms/available").body());
    }

    /** The first listed offer matching {@code which}. */
    JsonObject offer(Predicate<JsonObject> which) {
        return offers().stream()
                .map(JsonObject.class::cast)
                .filter(which)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no listed offer matches"));
    }

    static boolean dedicated(JsonObject o) {
        return o.getJsonObject("notes") == null;
    }

    static boolean sharedNoQueue(JsonObject o) {
        return o.getJsonObject("notes") != null
                && "shared".equals(o.getJsonObject("notes").getString("type"));
    }

    static boolean scheduled(JsonObject o) {
        return o.getJsonObject("notes") != null
                && "scheduled".equals(o.getJsonObject("notes").getString("type"));
    }

    /** The documented provision body for {@code offer} at its listed configuration. */
    static JsonObject provisionBody(JsonObject offer, String name, String publicKey) {
        return new JsonObject()
                .put("provider_id", offer.getString("provider_id"))
                .put("provider_ref", offer.getString("provider_ref"))
                .put("gpu_model", offer.getString("gpu_model"))
                .put("gpu_count", offer.getInteger("gpu_count"))
                .put("vcpus", offer.getInteger("vcpus"))
                .put("ram", offer.getInteger("ram"))
                .put("storage", offer.getInteger("storage"))
                .put("user_provided_name", name)
                .put("ssh_public_key", publicKey);
    }

    JsonObject provision(JsonObject offer, String name, KeyPair key) {
        HttpResponse<String> r = post("/vms/provision", provisionBody(offer, name, publicKey(key)));
        if (r.statusCode() != 201) {
            throw new AssertionError("provision answered " + r.statusCode() + " " + r.body());
        }
        return new JsonObject(r.body());
    }

    JsonObject vm(String id) {
        return new JsonObject(get("/vms/" + id).body());
    }

    JsonObject awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> status.equals(vm(id).getString("status")));
        return vm(id);
    }

    JsonObject running(JsonObject offer, String name, KeyPair key) {
        return awaitStatus(provision(offer, name, key).getString("id"), "running");
    }

    /** The simulator's own record of an instance (state, accrued cost, billing flag). */
    JsonObject simInstance(String id) {
        return controlGet("/instances").getJsonArray("instances").stream()
                .map(JsonObject.class::cast)
                .filter(i -> id.equals(i.getString("id")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no instance " + id));
    }

    // ---- SSH --------------------------------------------------------------------------------

    static KeyPair newKey() {
        try {
            return KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String publicKey(KeyPair key) {
        return PublicKeyEntry.toString(key.getPublic()) + " broker@test";
    }

    String exec(int port, String user, KeyPair key, String command) throws Exception {
        try (ClientSession s = ssh.connect(user, "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(5));
            return s.executeRemoteCommand(command);
        }
    }

    @Override
    public void close() {
        try {
            ssh.stop();
        } catch (Exception ignored) {
            // test teardown
        }
        sims.close();
    }
}
