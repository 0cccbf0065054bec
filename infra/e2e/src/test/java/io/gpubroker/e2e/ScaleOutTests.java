package io.gpubroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.stack.Scale;
import io.gpubroker.stack.ServiceSpec;
import io.gpubroker.stack.Stack;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue #14's proof: the cluster form (2 replicas of every service, 3 Kafka brokers, 2 Kafka Connect
 * workers, a provider-gateway per provider, 60x clock) carries {@value #DEFAULT_SESSIONS} sessions over
 * the five providers ending in every way (done, delete, expiry, idle, budget, failed verification)
 * while one replica of each service, one Kafka broker and one Connect worker are killed with SIGKILL
 * and restarted. Afterwards, from the simulators' own books: no session with two instances, nothing
 * left running or billing, nothing billed past its end, no session lost or stuck, no ledger above
 * what the provider charged; and both inventory replicas serve the same catalog.
 * {@code -Dbroker.e2e.scale.sessions=N} sizes it.
 *
 * <p>Opt-in ({@code -Dbroker.e2e.scale=true}), not yet in CI: on the 2-core CI machine the cluster
 * form (13 service JVMs, 3 brokers, 2 workers) keeps the load average near 25-30 and most sessions
 * fail SSH verification for want of CPU (seen twice, 40 sessions); issue #14 stays open on it.
 */
@EnabledIfSystemProperty(named = "broker.e2e.scale", matches = "true")
class ScaleOutTests {
    static final int DEFAULT_SESSIONS = 100;
    static final int SESSIONS = Integer.getInteger("broker.e2e.scale.sessions", DEFAULT_SESSIONS);
    static final String[] PROVIDERS = SessionFaultsTests.PROVIDERS;
    static final Duration BOUND = BillingBound.BOUND;
    private static Stack stack;

    @BeforeAll
    static void start() {
        E2EStack.stop(); // the small shared stack would compete for the same two cores
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("broker"))) {
            root = root.getParent();
        }
        System.setProperty("sim.trooper.price-drift-interval", "0");
        long t0 = System.nanoTime();
        stack = new Stack(new Stack.Options(
                root, "e2e-scale", false, true, E2EStack.CLOCK_SCALE, System.getenv("PG_URL"), Scale.cluster(2)));
        try {
            stack.start();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        System.out.printf(
                "scale-out stack: %d service processes, %d Kafka brokers, %d Connect workers, started in %d s%n",
                stack.serviceSpecs().size(),
                stack.kafkaNodes().size(),
                stack.connectWorkers().size(),
                Duration.ofNanos(System.nanoTime() - t0).toSeconds());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    enum End {
        DONE,
        DELETE,
        EXPIRY,
        IDLE,
        BUDGET
    }

    record Planned(int n, String provider, String consumer, String key, End end) {}

    @Test
    void sessionsEndEveryWayWhileReplicasBrokersAndWorkersAreKilled() throws Exception {
        String admin = stack.adminKeyValue();
        List<String> gateways = urls("api-gateway");
        String run = Long.toString(System.currentTimeMillis() % 100000, 36);
        int consumers = (SESSIONS + 4) / 5;
        List<String> keys = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            String id = "scale-" + run + "-" + c;
            Reply r = gw(gateways, c, "POST", "/api/v1/consumers", Map.of("consumer_id", id), admin);
            assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
            keys.add(r.body().path("api_key").asText());
            ids.add(id);
        }
        // two consumers' sessions end by budget: a generous limit now, lowered once they run
        int budgetConsumers = Math.max(1, consumers / 10);
        for (int c = 0; c < budgetConsumers; c++) {
            Reply r = gw(
                    gateways,
                    c,
                    "PUT",
                    "/api/v1/consumers/" + ids.get(c) + "/budget",
                    Map.of("monthly_limit", 1000, "currency", "USD"),
                    admin);
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        }
        Map<String, List<JsonNode>> offers = new HashMap<>();
        for (String p : PROVIDERS) {
            offers.put(p, offers(p));
        }
        List<Planned> plan = new ArrayList<>();
        for (int n = 0; n < SESSIONS; n++) {
            int c = n / 5;
            End end = c < budgetConsumers ? End.BUDGET : End.values()[(n + c) % 4];
            plan.add(new Planned(n, PROVIDERS[n % 5], ids.get(c), keys.get(c), end));
        }
        // failed verification: the next instances on two providers never open SSH / show the wrong GPU
        int injected = Math.max(2, SESSIONS / 20);
        simFault("tensordock", Map.of("op", "instance", "instance_fault", "ssh_never_open", "count", injected / 2));
        simFault(
                "vastai", Map.of("op", "instance", "instance_fault", "gpu_mismatch", "count", injected - injected / 2));

        Map<Integer, String> sessionOf = new ConcurrentHashMap<>();
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(20);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> creates = new ArrayList<>();
            for (Planned p : plan) {
                creates.add(pool.submit(() -> {
                    List<JsonNode> pick = offers.get(p.provider());
                    JsonNode offer = pick.get((p.n() / 5) % pick.size());
                    Map<String, Object> body = new HashMap<>(Map.of(
                            "offer_id",
                            offer.path("id").asText(),
                            "workload_type",
                            "batch",
                            "reservation_hours",
                            p.end() == End.EXPIRY ? 1 : 4));
                    if (p.end() == End.IDLE) {
                        body.put("idle_threshold_minutes", 2);
                    }
                    Reply r = gw(gateways, p.n(), "POST", "/api/v1/sessions", body, p.key());
                    if (r.status() == 201) {
                        sessionOf.put(p.n(), r.body().path("session").path("id").asText());
                    } else {
                        refused.add(p.n() + " " + p.provider() + ": " + r.status() + " " + r.body());
                    }
                    return null;
                }));
            }
            // while the creates are answered and the sagas run: one of everything dies and comes back
            Thread.sleep(3000);
            Instant killedAt = Instant.now();
            List<String> killed = List.of(
                    "api-gateway-2",
                    "inventory-service-2",
                    "session-service-2",
                    "billing-service-2",
                    "provider-gateway-rackrr");
            killed.forEach(stack::kill9);
            stack.kill9Kafka(2);
            stack.connectWorkers().get(1).proc().kill(); // the stack's watchdog restarts it
            Thread.sleep(5_000);
            stack.restartKafka(2);
            List<Future<?>> restarts = new ArrayList<>();
            for (String name : killed) {
                restarts.add(pool.submit(() -> {
                    stack.restart(name);
                    return null;
                }));
            }
            for (Future<?> f : restarts) {
                f.get();
            }
            Duration recovered = Duration.between(killedAt, Instant.now());
            for (Future<?> f : creates) {
                f.get();
            }
            System.out.printf(
                    "kills: %s, kafka-2, kafka-connect-2; everything back in %d s%n", killed, recovered.toSeconds());
        } finally {
            pool.shutdownNow();
        }
        assertThat(sessionOf).as("sessions created (refused: " + refused + ")").isNotEmpty();

        // every session reaches running or fails; then each ends its way
        Map<String, JsonNode> state = new ConcurrentHashMap<>();
        await().atMost(Duration.ofMinutes(8))
                .pollInterval(Duration.ofSeconds(3))
                .ignoreExceptionsInstanceOf(IllegalStateException.class)
                .until(() -> {
                    for (String id : sessionOf.values()) {
                        JsonNode s = session(id);
                        state.put(id, s);
                    }
                    return state.values().stream()
                            .allMatch(s -> Set.of("running", "failed", "stopped")
                                    .contains(s.path("status").asText()));
                });
        long toRunning = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
        for (Planned p : plan) {
            String id = sessionOf.get(p.n());
            if (id == null || !"running".equals(state.get(id).path("status").asText())) {
                continue;
            }
            if (p.end() == End.DONE) {
                gw(gateways, p.n(), "POST", "/api/v1/sessions/" + id + "/done", null, p.key());
            } else if (p.end() == End.DELETE) {
                gw(gateways, p.n(), "DELETE", "/api/v1/sessions/" + id, null, p.key());
            }
        }
        for (int c = 0; c < budgetConsumers; c++) {
            gw(
                    gateways,
                    c,
                    "PUT",
                    "/api/v1/consumers/" + ids.get(c) + "/budget",
                    Map.of("monthly_limit", 0.01, "currency", "USD"),
                    admin);
        }
        await().atMost(Duration.ofMinutes(8))
                .pollInterval(Duration.ofSeconds(3))
                .ignoreExceptionsInstanceOf(IllegalStateException.class)
                .until(() -> {
                    for (String id : sessionOf.values()) {
                        state.put(id, session(id));
                    }
                    return state.values().stream()
                            .allMatch(s -> Set.of("failed", "stopped")
                                    .contains(s.path("status").asText()));
                });
        long allEnded = Duration.ofNanos(System.nanoTime() - t0).toSeconds();

        Map<String, Integer> byEnd = new TreeMap<>();
        List<String> unexpectedFailures = new ArrayList<>();
        for (JsonNode s : state.values()) {
            String reason = s.path("status").asText().equals("failed")
                    ? "failed"
                    : s.path("stop_reason").asText();
            byEnd.merge(reason, 1, Integer::sum);
            if (s.path("status").asText().equals("failed")
                    && !Set.of("vastai", "tensordock")
                            .contains(s.path("provider").asText())) {
                unexpectedFailures.add(
                        s.path("id").asText() + " on " + s.path("provider").asText() + ": "
                                + s.path("failure_reason").asText());
            }
        }
        System.out.printf(
                "scale-out: %d sessions (%d refused), running-or-failed after %d s, all ended after %d s, ends %s%n",
                sessionOf.size(), refused.size(), toRunning, allEnded, byEnd);
        refused.forEach(r -> System.out.println("  refused: " + r));
        assertThat(unexpectedFailures)
                .as("sessions failed where no fault was injected")
                .isEmpty();
        assertThat(byEnd.getOrDefault("failed", 0))
                .as("failed sessions (faults injected: " + injected + ")")
                .isBetween(1, injected);
        assertThat(byEnd.keySet()).contains("done", "deleted", "expired", "idle", "budget_exceeded", "failed");
        assertThat(refused).as("creates refused").isEmpty();

        simulatorsAgree(state);
        inventoryReplicasAgree();
    }

    /** From each simulator's own books: one instance per session at most, none left, none billing late. */
    private static void simulatorsAgree(Map<String, JsonNode> sessions) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(3))
                .untilAsserted(() -> {
                    List<String> violations = new ArrayList<>();
                    Map<String, Integer> instancesOf = new HashMap<>();
                    Map<String, BigDecimal> charged = new HashMap<>();
                    for (String provider : PROVIDERS) {
                        for (JsonNode i : simInstances(provider).path("instances")) {
                            String tag = i.path("tag").asText("");
                            for (JsonNode s : sessions.values()) {
                                String id = s.path("id").asText();
                                if (!tag.contains(id)) {
                                    continue;
                                }
                                instancesOf.merge(id, 1, Integer::sum);
                                charged.merge(id, i.path("accrued_cost").decimalValue(), BigDecimal::add);
                                String what =
                                        provider + " instance " + i.path("id").asText() + " of " + id;
                                if (!i.path("destroyed").asBoolean()
                                        || i.path("billing").asBoolean()) {
                                    violations.add(
                                            what + " still " + i.path("state").asText());
                                } else if (i.path("billing_stopped_at").isTextual()
                                        && s.path("stopped_at").isTextual()) {
                                    Duration late = Duration.between(
                                            Instant.parse(s.path("stopped_at").asText()),
                                            Instant.parse(
                                                    i.path("billing_stopped_at").asText()));
                                    if (late.compareTo(BOUND) > 0) {
                                        violations.add(what + " billed " + late.toSeconds() + " broker-s past the end");
                                    }
                                }
                            }
                        }
                    }
                    instancesOf.forEach((id, n) -> {
                        if (n > 1) {
                            violations.add(id + " has " + n + " instances");
                        }
                    });
                    // the ledger covers running time only (issue #18), never more than the provider charged:
                    // an event applied twice would show here
                    for (JsonNode s : sessions.values()) {
                        String id = s.path("id").asText();
                        Reply cost = internal("GET", first("billing-service") + "/costs?session_id=" + id, null);
                        BigDecimal ledger = cost.body().path("total_cost").decimalValue();
                        BigDecimal truth = charged.getOrDefault(id, BigDecimal.ZERO);
                        if (ledger.compareTo(
                                        truth.multiply(new BigDecimal("1.02")).add(new BigDecimal("0.01")))
                                > 0) {
                            violations.add(id + " ledger " + ledger + " above the provider's " + truth);
                        }
                    }
                    assertThat(violations).isEmpty();
                });
    }

    /** Both inventory replicas answer the same complete catalog (they converge within their sync interval). */
    private static void inventoryReplicasAgree() {
        List<String> replicas = urls("inventory-service");
        assertThat(replicas).hasSize(2);
        AtomicInteger size = new AtomicInteger();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    List<Set<String>> catalogs = new ArrayList<>();
                    for (String r : replicas) {
                        Reply c = internal("GET", r + "/inventory?limit=1000000", null);
                        Set<String> ids = new TreeSet<>();
                        c.body()
                                .path("offers")
                                .forEach(o -> ids.add(o.path("id").asText()));
                        catalogs.add(ids);
                    }
                    assertThat(catalogs.get(0)).isNotEmpty().isEqualTo(catalogs.get(1));
                    size.set(catalogs.get(0).size());
                });
        System.out.printf("inventory replicas agree on %d offers%n", size.get());
    }

    private static List<JsonNode> offers(String provider) {
        List<JsonNode> out = new ArrayList<>();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .ignoreExceptionsInstanceOf(IllegalStateException.class)
                .until(() -> {
                    out.clear();
                    Reply r = internal(
                            "GET", first("inventory-service") + "/inventory?provider=" + provider + "&limit=500", null);
                    r.body().path("offers").forEach(o -> {
                        if (o.path("available").asBoolean() && !o.path("stale").asBoolean(false)) {
                            out.add(o);
                        }
                    });
                    return out.size() >= 5;
                });
        return out;
    }

    private static List<String> urls(String service) {
        return stack.serviceSpecs().stream()
                .filter(s -> s.service().equals(service))
                .map(ServiceSpec::url)
                .toList();
    }

    private static String first(String service) {
        return urls(service).get(0);
    }

    private static JsonNode session(String id) {
        List<String> replicas = urls("session-service");
        IllegalStateException last = null;
        for (String r : replicas) {
            try {
                Reply s = internal("GET", r + "/sessions/" + id, null);
                if (s.status() == 200) {
                    return s.body();
                }
            } catch (IllegalStateException e) {
                last = e; // a replica that is down: ask the other
            }
        }
        throw last != null ? last : new IllegalStateException("session " + id + " not found");
    }

    private static JsonNode simInstances(String provider) {
        @SuppressWarnings("unchecked")
        Map<String, Object> sim = stack.simulator(provider);
        return internal("GET", sim.get("control_url") + "/instances", null).body();
    }

    private static void simFault(String provider, Map<String, Object> rule) {
        Reply r = internal("POST", stack.simulator(provider).get("control_url") + "/faults", rule);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    }

    record Reply(int status, JsonNode body) {}

    /**
     * A public API call as a load balancer in front of the gateways would make it: to gateway
     * {@code n mod 2}, and to the other one when that one does not answer (killed) or answers 502/503.
     */
    private static Reply gw(List<String> gateways, int n, String method, String path, Object body, String key) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 6; attempt++) {
            String base = gateways.get((n + attempt) % gateways.size());
            try {
                Reply r = send(method, base + path, body, "Authorization", "Bearer " + key);
                if (r.status() != 502 && r.status() != 503) {
                    return r;
                }
                last = new IllegalStateException(method + " " + path + ": " + r.status() + " " + r.body());
            } catch (IllegalStateException e) {
                last = e;
            }
            sleep(1000);
        }
        throw last;
    }

    private static Reply internal(String method, String url, Object body) {
        return send(method, url, body, "X-Broker-Internal-Token", stack.internalTokenValue());
    }

    private static Reply send(String method, String url, Object body, String... headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            for (int i = 0; i + 1 < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofString(E2EStack.JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = E2EStack.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = r.body() == null || r.body().isBlank()
                    ? E2EStack.JSON.nullNode()
                    : E2EStack.JSON.readTree(r.body());
            return new Reply(r.statusCode(), n);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + url + ": " + e.getMessage(), e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
