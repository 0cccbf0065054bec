package io.gpubroker.sim.trooper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpubroker.sim.core.SimClock;
import io.gpubroker.sim.core.SimConfig;
import io.gpubroker.sim.core.Simulators;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;

/** One Trooper simulator on a free port with a 300x clock, plus HTTP and SSH helpers for tests. */
final class TrooperFixture implements AutoCloseable {

    static final SshClient SSH = SshClient.setUpDefaultClient();

    static {
        SSH.setServerKeyVerifier((session, address, key) -> true);
        SSH.start();
    }

    /** A response with its body parsed on demand. */
    record Resp(int status, String body, HttpHeaders headers) {
        JsonObject obj() {
            return new JsonObject(body);
        }

        JsonArray arr() {
            return new JsonArray(body);
        }
    }

    final Simulators sims;
    final TrooperSim sim;
    final String base;
    final String key;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TrooperFixture(SimConfig config) {
        this.sim = new TrooperSim(config, new SimClock(Instant.now(), 300));
        this.sims = Simulators.startOne(sim, 0);
        this.base = sim.baseUrl();
        this.key = sim.apiKey();
    }

    /** Defaults for tests: 30 blibs, no background price drift; {@code kv} overrides (key, value, ...). */
    static TrooperFixture start(String... kv) {
        SimConfig c = new SimConfig()
                .set("trooper.offers", "30")
                .set("trooper.price-drift-interval", "0")
                .set("trooper.boot", "30");
        for (int i = 0; i + 1 < kv.length; i += 2) {
            c.set(kv[i], kv[i + 1]);
        }
        return new TrooperFixture(c);
    }

    Resp get(String path) {
        return send("GET", path, null, key);
    }

    Resp post(String path, Object body) {
        return send("POST", path, body, key);
    }

    Resp send(String method, String path, Object body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        String payload = body == null
                ? ""
                : body instanceof String s
                        ? s
                        : body instanceof JsonObject j
                                ? j.encode()
                                : JsonObject.mapFrom(body).encode();
        b.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(payload));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.body(), r.headers());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    /** A blib from the served list that still has room. */
    JsonObject availableBlib() {
        for (Object o : get("/api/blibs").arr()) {
            JsonObject b = (JsonObject) o;
            if (b.getBoolean("is_available")) {
                return b;
            }
        }
        throw new IllegalStateException("no available blib");
    }

    static JsonObject orderBody(JsonObject blib) {
        return new JsonObject()
                .put("blib_id", blib.getInteger("id"))
                .put("price_h", blib.getDouble("price_h"))
                .put("total_price", blib.getDouble("price_h"))
                .put("terms_accepted", true)
                .put("contract_interval", "HOUR");
    }

    /** Orders an available blib the documented way and returns the orderId. */
    int order() {
        return order(availableBlib());
    }

    int order(JsonObject blib) {
        Resp r = post("/api/order", orderBody(blib));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.obj().getInteger("orderId");
    }

    JsonObject orderView(int orderId) {
        for (Object o : get("/api/orders").arr()) {
            JsonObject v = (JsonObject) o;
            if (v.getInteger("order_id") == orderId) {
                return v;
            }
        }
        return null;
    }

    JsonObject awaitStatus(int orderId, String status) {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> status.equals(orderView(orderId).getString("status")));
        return orderView(orderId);
    }

    JsonObject credentials(int serverId) {
        Resp r = post("/api/credentials", new JsonObject().put("serverId", serverId));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.obj();
    }

    Resp action(int serverId, String action) {
        return post(
                "/api/order-status", new JsonObject().put("serverId", serverId).put("action", action));
    }

    Resp control(String method, String path, Object body) {
        return send(method, "/_sim" + path, body, null);
    }

    JsonObject controlInstance(int orderId) {
        for (Object o : send("GET", "/_sim/instances", null, null).obj().getJsonArray("instances")) {
            JsonObject i = (JsonObject) o;
            if (i.getString("id").equals(String.valueOf(orderId))) {
                return i;
            }
        }
        return null;
    }

    /** Logs in with the Trooper password and appends {@code key} to root's authorized_keys, as the broker does. */
    static void installKeyWithPassword(int port, String user, String password, KeyPair key) throws Exception {
        try (ClientSession s = SSH.connect(user, "127.0.0.1", port)
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPasswordIdentity(password);
            s.auth().verify(Duration.ofSeconds(5));
            s.executeRemoteCommand("mkdir -p ~/.ssh && echo '"
                    + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(key.getPublic())
                    + " broker' >> ~/.ssh/authorized_keys");
        }
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

    @Override
    public void close() {
        sims.close();
    }
}
