package io.gpubroker.sim.vastai;

import static org.awaitility.Awaitility.await;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/** One in-process Vast simulator per test class (fast clock), an HTTP client and an SSH client. */
abstract class VastSimHarness {

    /** An HTTP answer: status, body and headers. */
    record Resp(int status, String body, java.net.http.HttpHeaders headers) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    static Simulators sims;
    static VastAiSim sim;
    static SimConfig config;
    static HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static SshClient ssh;

    /** Simulated seconds are 300x faster: schedule 30 s = 100 ms, boot 60 s = 200 ms. */
    static SimConfig fastConfig() {
        return new SimConfig()
                .set("seed", "42")
                .set("vastai.offers", "30")
                .set("vastai.schedule", "30")
                .set("vastai.boot", "60")
                .set("vastai.stop", "30")
                .set("vastai.start", "30")
                .set("vastai.dies-after", "30")
                .set("vastai.key-propagation", "10")
                .set("vastai.offer-refresh", "86400")
                .set("vastai.price-drift-interval", "86400");
    }

    static void start(SimConfig cfg) {
        config = cfg;
        sim = new VastAiSim(cfg, new SimClock(Instant.now(), 300));
        sims = Simulators.startOne(sim, 0);
        if (ssh == null) {
            ssh = SshClient.setUpDefaultClient();
            ssh.start();
        }
    }

    @AfterAll
    static void stopAll() {
        if (sims != null) {
            sims.close();
            sims = null;
        }
        if (ssh != null) {
            ssh.stop();
            ssh = null;
        }
    }

    @BeforeEach
    void resetSimulator() {
        ctl("POST", "/reset", "{}");
    }

    // ------------------------------------------------------------ HTTP

    static Resp send(String method, String url, String body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.body(), r.headers());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + url + " failed", e);
        }
    }

    /** A provider API call under {@code /api/v0} with the right key. */
    static Resp api(String method, String path, String body) {
        return send(method, sim.baseUrl() + path, body, "Bearer " + sim.apiKey());
    }

    static Resp v1(String pathAndQuery) {
        return send(
                "GET",
                "http://127.0.0.1:" + sim.port() + "/api/v1/instances/" + pathAndQuery,
                null,
                "Bearer " + sim.apiKey());
    }

    static Resp ctl(String method, String path, String body) {
        return send(method, sim.controlUrl() + path, body, null);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static JsonArray search(JsonObject query) {
        Resp r = api("POST", "/bundles/", query.encode());
        if (r.status() != 200) {
            throw new IllegalStateException("search failed: " + r);
        }
        return r.json().getJsonArray("offers");
    }

    static JsonObject firstOffer(JsonObject query) {
        return search(query.copy().put("limit", 1)).getJsonObject(0);
    }

    static JsonObject anyOffer() {
        return firstOffer(new JsonObject()
                .put(
                        "order",
                        new JsonArray().add(new JsonArray().add("dph_total").add("asc"))));
    }

    static Resp createRaw(long askId, JsonObject body) {
        return api("PUT", "/asks/" + askId + "/", body.encode());
    }

    static long create(long askId, String label) {
        Resp r = createRaw(
                askId,
                new JsonObject()
                        .put("client_id", "me")
                        .put("image", "nvidia/cuda:12.6.3-runtime-ubuntu22.04")
                        .put("disk", 20)
                        .put("label", label)
                        .put("runtype", "ssh_proxy")
                        .put("cancel_unavail", true));
        if (r.status() != 200) {
            throw new IllegalStateException("create failed: " + r.status() + " " + r.body());
        }
        return r.json().getLong("new_contract");
    }

    static JsonObject instance(long id) {
        return api("GET", "/instances/" + id + "/?owner=me", null).json().getJsonObject("instances");
    }

    static JsonObject awaitStatus(long id, String status) {
        AtomicReference<JsonObject> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    JsonObject i = instance(id);
                    last.set(i);
                    return i != null
                            && status.equals(i.getString("actual_status"))
                            && (!"running".equals(status) || i.getInteger("ssh_port") != null);
                });
        return last.get();
    }

    static JsonObject control(long id) {
        for (Object o : ctl("GET", "/instances", null).json().getJsonArray("instances")) {
            JsonObject i = (JsonObject) o;
            if (i.getString("id").equals(String.valueOf(id))) {
                return i;
            }
        }
        throw new IllegalStateException("no control view of " + id);
    }

    static void attachKey(long id, KeyPair key) {
        Resp r = api(
                "POST",
                "/instances/" + id + "/ssh/",
                new JsonObject().put("ssh_key", pub(key) + " broker").encode());
        if (r.status() != 200) {
            throw new IllegalStateException("attach failed: " + r);
        }
    }

    // ------------------------------------------------------------ SSH

    static KeyPair newKey() {
        try {
            return KeyUtils.generateKeyPair("ssh-ed25519", 256);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pub(KeyPair key) {
        return PublicKeyEntry.toString(key.getPublic());
    }

    static String exec(int port, KeyPair key, String command) throws Exception {
        try (ClientSession s = ssh.connect("root", "127.0.0.1", port)
                .verify(Duration.ofSeconds(3))
                .getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(3));
            return s.executeRemoteCommand(command);
        }
    }

    /** Waits until the key works (keys propagate a moment after the attach call). */
    static String awaitExec(int port, KeyPair key, String command) {
        AtomicReference<String> out = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(() -> {
                    out.set(exec(port, key, command));
                    return true;
                });
        return out.get();
    }
}
