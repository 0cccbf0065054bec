package io.gpubroker.gateway;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Small real HTTP servers imitating inventory-, session- and billing-service (their internal
 * paths and error shape), recording every request they receive. Knobs: readiness, a delay, and
 * stopping a server to make it unreachable.
 */
public final class FakeServices {
    /** One request as a fake service received it. */
    public record Received(
            String service, String method, String path, String query, MultiMap headers, String body, int port) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** One imitated service. */
    public final class Fake {
        final String name;
        volatile HttpServer server;
        volatile int port;
        public volatile boolean ready = true;
        public volatile long delayMs;
        /** when set, every non-health request answers this status with a plain-text body */
        public volatile Integer plainError;
        /** what {@code /q/metrics} answers (Prometheus text); 404 while null */
        public volatile String metrics;

        Fake(String name) {
            this.name = name;
        }

        public String url() {
            return "http://127.0.0.1:" + port;
        }

        public void stop() {
            await(server.close());
        }

        public void restart() {
            server = await(vertx.createHttpServer()
                    .requestHandler(r -> handle(this, r))
                    .listen(port, "127.0.0.1"));
        }
    }

    private static FakeServices instance;

    private final Vertx vertx = Vertx.vertx();
    public final Fake inventory = new Fake("inventory");
    public final Fake session = new Fake("session");
    public final Fake billing = new Fake("billing");
    /** second replicas of inventory- and session-service (ReplicaTests points the gateway at both) */
    public final Fake inventory2 = new Fake("inventory");

    public final Fake session2 = new Fake("session");
    /** provider-gateway, which the gateway only reads metrics from */
    public final Fake providerGateway = new Fake("provider");

    private final ConcurrentLinkedDeque<Received> received = new ConcurrentLinkedDeque<>();
    /** the fake session-service's store: id → session JSON */
    public final Map<String, JsonObject> sessions = new ConcurrentHashMap<>();

    public final Map<String, JsonObject> policies = new ConcurrentHashMap<>();

    private final AtomicInteger seq = new AtomicInteger();

    public static synchronized FakeServices get() {
        if (instance == null) {
            instance = new FakeServices();
            for (Fake f : List.of(
                    instance.inventory,
                    instance.session,
                    instance.billing,
                    instance.inventory2,
                    instance.session2,
                    instance.providerGateway)) {
                f.server = await(instance.vertx
                        .createHttpServer()
                        .requestHandler(r -> instance.handle(f, r))
                        .listen(0, "127.0.0.1"));
                f.port = f.server.actualPort();
            }
        }
        return instance;
    }

    static <T> T await(io.vertx.core.Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Received> received(Predicate<Received> p) {
        return new ArrayList<>(received.stream().filter(p).toList());
    }

    /** The last request a service received on exactly this path (and method). */
    public Received last(String service, String method, String path) {
        List<Received> l = received(r -> r.service().equals(service)
                && r.method().equals(method)
                && r.path().equals(path));
        if (l.isEmpty()) {
            throw new AssertionError(service + " received no " + method + " " + path + "; got "
                    + received(r -> true).stream()
                            .map(r -> r.service() + " " + r.method() + " " + r.path())
                            .toList());
        }
        return l.get(l.size() - 1);
    }

    /** Stores a session in the fake session-service, as if it had been created earlier. */
    public String seedSession(String consumer, String status) {
        String id = "sess-" + seq.incrementAndGet() + "-" + consumer;
        sessions.put(
                id,
                new JsonObject()
                        .put("id", id)
                        .put("consumer_id", consumer)
                        .put("provider", "vastai")
                        .put("gpu_type", "RTX 4090")
                        .put("status", status)
                        .put("price_per_hour", 0.45));
        return id;
    }

    private void handle(Fake f, HttpServerRequest req) {
        req.body().onSuccess(buf -> {
            String body = buf.toString();
            if (!req.path().startsWith("/q/")) {
                received.add(new Received(
                        f.name,
                        req.method().name(),
                        req.path(),
                        req.query(),
                        MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                        body,
                        f.port));
            }
            Runnable answer = () -> answer(f, req, body);
            if (f.delayMs > 0 && !req.path().startsWith("/q/health")) {
                vertx.setTimer(f.delayMs, t -> answer.run());
            } else {
                answer.run();
            }
        });
    }

    private void answer(Fake f, HttpServerRequest req, String body) {
        String rid = req.getHeader("X-Request-ID");
        req.response().putHeader("X-Request-ID", rid == null ? "none" : rid);
        String path = req.path();
        if (path.equals("/q/health/ready")) {
            reply(req, f.ready ? 200 : 503, new JsonObject().put("status", f.ready ? "UP" : "DOWN"));
            return;
        }
        if (path.equals("/q/metrics")) {
            String m = f.metrics;
            req.response()
                    .setStatusCode(m == null ? 404 : 200)
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(m == null ? "" : m);
            return;
        }
        if (f.plainError != null) {
            req.response()
                    .setStatusCode(f.plainError)
                    .putHeader("Content-Type", "text/html")
                    .end("<html>boom</html>");
            return;
        }
        switch (f.name) {
            case "inventory" -> inventory(req, path);
            case "session" -> session(req, path, body);
            default -> billing(req, path, body);
        }
    }

    private static void reply(HttpServerRequest req, int status, Object json) {
        req.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(json.toString());
    }

    private static void error(HttpServerRequest req, int status, String msg) {
        reply(req, status, new JsonObject().put("error", msg).put("request_id", req.getHeader("X-Request-ID")));
    }

    private static JsonObject offer(String id) {
        return new JsonObject()
                .put("id", id)
                .put("provider", "vastai")
                .put("gpu_type", "RTX 4090")
                .put("price_per_hour", 0.45);
    }

    private void inventory(HttpServerRequest req, String path) {
        String[] p = path.split("/");
        if (path.equals("/inventory")) {
            reply(
                    req,
                    200,
                    new JsonObject()
                            .put("offers", new JsonArray().add(offer("vastai-1")))
                            .put("count", 1)
                            .put("total", 1));
        } else if (p.length == 3 && p[1].equals("inventory")) {
            if (p[2].equals("missing")) {
                error(req, 404, "offer missing not found");
            } else {
                reply(req, 200, offer(p[2]));
            }
        } else if (p.length == 4 && p[3].equals("compatible-templates")) {
            reply(
                    req,
                    200,
                    new JsonObject()
                            .put("offer_id", p[2])
                            .put("compatible_templates", new JsonArray())
                            .put("count", 0));
        } else if (path.equals("/templates")) {
            reply(req, 200, new JsonObject().put("templates", new JsonArray()).put("count", 0));
        } else if (p.length == 3 && p[1].equals("templates")) {
            reply(req, 200, new JsonObject().put("hash_id", p[2]).put("name", "Ollama"));
        } else if (path.equals("/offer-health")) {
            reply(req, 200, new JsonObject().put("providers", new JsonArray()));
        } else {
            error(req, 404, "not found");
        }
    }

    private void session(HttpServerRequest req, String path, String body) {
        String[] p = path.split("/");
        String m = req.method().name();
        if (path.equals("/sessions") && m.equals("POST")) {
            JsonObject in = new JsonObject(body);
            if ("stale-offer".equals(in.getString("offer_id"))) {
                reply(
                        req,
                        503,
                        new JsonObject()
                                .put("error", "offer unavailable due to stale inventory")
                                .put("error_type", "stale_inventory")
                                .put("offer_id", "stale-offer")
                                .put("provider", "vastai")
                                .put("retry_suggested", true)
                                .put("message", "The selected offer is no longer available.")
                                .put("request_id", req.getHeader("X-Request-ID")));
                return;
            }
            if (in.getString("consumer_id") == null) {
                error(req, 400, "consumer_id: must not be blank");
                return;
            }
            // a stand-in for session-service's per-consumer cap (3 here; the real rule: ConsumerCapTests)
            long live = sessions.values().stream()
                    .filter(x -> in.getString("consumer_id").equals(x.getString("consumer_id"))
                            && java.util.List.of("pending", "provisioning", "running")
                                    .contains(x.getString("status")))
                    .count();
            if (live >= 3) {
                reply(
                        req,
                        409,
                        new JsonObject()
                                .put(
                                        "error",
                                        "consumer " + in.getString("consumer_id") + " already has " + live
                                                + " active sessions (limit 3): end one before creating another")
                                .put("error_type", "session_limit")
                                .put("active_sessions", live)
                                .put("limit", 3)
                                .put("request_id", req.getHeader("X-Request-ID")));
                return;
            }
            String id = seedSession(in.getString("consumer_id"), "pending");
            reply(
                    req,
                    201,
                    new JsonObject()
                            .put("session", sessions.get(id))
                            .put("ssh_private_key", "-----BEGIN OPENSSH PRIVATE KEY-----"));
        } else if (path.equals("/sessions") && m.equals("GET")) {
            String consumer = req.getParam("consumer_id");
            String status = req.getParam("status");
            JsonArray out = new JsonArray();
            sessions.values().stream()
                    .filter(s -> consumer == null || consumer.equals(s.getString("consumer_id")))
                    .filter(s -> status == null || status.equals(s.getString("status")))
                    .forEach(out::add);
            reply(req, 200, new JsonObject().put("sessions", out).put("count", out.size()));
        } else if (p.length == 3 && p[1].equals("policies")) {
            // a stand-in for session-service's policy store (the real rules: ConsumerPolicyTests)
            switch (m) {
                case "PUT" -> {
                    JsonObject policy = new JsonObject(body).put("consumer_id", p[2]);
                    policies.put(p[2], policy);
                    reply(req, 200, policy);
                }
                case "GET" -> {
                    if (policies.containsKey(p[2])) {
                        reply(req, 200, policies.get(p[2]));
                    } else {
                        error(req, 404, "consumer " + p[2] + " has no policy");
                    }
                }
                case "DELETE" -> {
                    if (policies.remove(p[2]) != null) {
                        reply(
                                req,
                                200,
                                new JsonObject().put("consumer_id", p[2]).put("message", "policy removed"));
                    } else {
                        error(req, 404, "consumer " + p[2] + " has no policy");
                    }
                }
                default -> error(req, 405, "method not allowed");
            }
        } else if (p.length >= 3 && p[1].equals("sessions")) {
            JsonObject s = sessions.get(p[2]);
            if (s == null) {
                error(req, 404, "session " + p[2] + " not found");
                return;
            }
            String op = p.length == 4 ? p[3] : "";
            switch (m + " " + op) {
                case "GET " -> reply(req, 200, s);
                case "POST done" ->
                    reply(
                            req,
                            200,
                            new JsonObject()
                                    .put("message", "session shutdown initiated")
                                    .put("session_id", p[2]));
                case "POST extend" ->
                    reply(
                            req,
                            200,
                            new JsonObject().put("message", "session extended").put("session_id", p[2]));
                case "DELETE " ->
                    reply(
                            req,
                            200,
                            new JsonObject().put("message", "session destroyed").put("session_id", p[2]));
                case "GET diagnostics" ->
                    reply(req, 200, new JsonObject().put("session_id", p[2]).put("status", s.getString("status")));
                case "POST heartbeat" -> reply(req, 200, new JsonObject().put("status", "ok"));
                default -> error(req, 404, "not found");
            }
        } else {
            error(req, 404, "not found");
        }
    }

    private void billing(HttpServerRequest req, String path, String body) {
        String[] p = path.split("/");
        if (path.equals("/costs")) {
            reply(
                    req,
                    200,
                    new JsonObject()
                            .put("consumer_id", req.getParam("consumer_id"))
                            .put("session_id", req.getParam("session_id"))
                            .put("total_cost", 1.35)
                            .put("currency", "USD"));
        } else if (path.equals("/costs/summary")) {
            reply(
                    req,
                    200,
                    new JsonObject()
                            .put("consumer_id", req.getParam("consumer_id"))
                            .put("total_cost", 45.67));
        } else if (path.equals("/costs/export")) {
            req.response()
                    .setStatusCode(200)
                    .putHeader("content-type", "text/csv; charset=utf-8")
                    .end("line_type,consumer_id\r\ntotal," + req.getParam("consumer_id") + "\r\n");
        } else if (path.equals("/costs/drift")) {
            reply(req, 200, new JsonObject().put("providers", new JsonArray()));
        } else if (p.length == 3 && p[1].equals("budgets")) {
            if (req.method().name().equals("PUT")) {
                reply(req, 200, new JsonObject(body).put("consumer_id", p[2]));
            } else {
                reply(req, 200, new JsonObject().put("consumer_id", p[2]).put("monthly_limit", 100));
            }
        } else {
            error(req, 404, "not found");
        }
    }
}
