package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Seeded random requests against every route of the api-gateway (and, for a smaller share, the
 * internal services directly), over raw sockets so that nothing is cleaned up on the way: broken
 * JSON, wrong types, huge and negative numbers, long, unicode and control-character strings, path
 * tricks, wrong methods and content types, bad, absent and revoked keys, oversized bodies and
 * headers. No answer may be a 5xx, and every 4xx must carry {@code {"error","request_id"}}.
 *
 * <p>{@code -Dfuzz.seed=<n>} replays a run, {@code -Dfuzz.requests=<n>} sets its size (default 2,000).
 * Requests beyond the HTTP decoder's own limits (256 KB request line or header block, see
 * service-kit's {@code HttpErrors}) are not sent: Vert.x answers those itself, without a body.
 */
class FuzzTests {
    static final int MAX_FAILURES_SHOWN = 25;

    /** One route of the public API: method, path with {@code {id}} placeholders, query names, body kind, who may call it. */
    record Route(String method, String path, List<String> query, String body, boolean admin) {}

    static final List<Route> GATEWAY = List.of(
            new Route(
                    "GET",
                    "/api/v1/inventory",
                    List.of(
                            "provider",
                            "gpu_type",
                            "location",
                            "min_vram",
                            "max_price",
                            "min_gpu_count",
                            "gpu_count",
                            "min_reliability",
                            "min_availability_confidence",
                            "min_cuda",
                            "template_hash_id",
                            "limit",
                            "offset"),
                    null,
                    false),
            new Route("GET", "/api/v1/inventory/{id}", List.of(), null, false),
            new Route("GET", "/api/v1/inventory/{id}/compatible-templates", List.of(), null, false),
            new Route("GET", "/api/v1/templates", List.of("name"), null, false),
            new Route("GET", "/api/v1/templates/{id}", List.of(), null, false),
            new Route("GET", "/api/v1/offer-health", List.of(), null, false),
            new Route("POST", "/api/v1/sessions", List.of(), "session", false),
            new Route("GET", "/api/v1/sessions", List.of("consumer_id", "status", "provider", "limit"), null, false),
            new Route("GET", "/api/v1/sessions/{id}", List.of(), null, false),
            new Route("POST", "/api/v1/sessions/{id}/done", List.of(), "empty", false),
            new Route("POST", "/api/v1/sessions/{id}/extend", List.of(), "extend", false),
            new Route("DELETE", "/api/v1/sessions/{id}", List.of(), null, false),
            new Route("GET", "/api/v1/sessions/{id}/diagnostics", List.of(), null, false),
            new Route("POST", "/api/v1/sessions/{id}/heartbeat", List.of(), "heartbeat", false),
            new Route(
                    "GET",
                    "/api/v1/costs",
                    List.of("session_id", "consumer_id", "start_date", "end_date", "period"),
                    null,
                    false),
            new Route("GET", "/api/v1/costs/summary", List.of("consumer_id"), null, false),
            new Route("GET", "/api/v1/costs/drift", List.of(), null, true),
            new Route("POST", "/api/v1/consumers", List.of(), "consumer", true),
            new Route("GET", "/api/v1/consumers", List.of(), null, true),
            new Route("GET", "/api/v1/consumers/{id}", List.of(), null, false),
            new Route("POST", "/api/v1/consumers/{id}/keys", List.of(), "empty", true),
            new Route("DELETE", "/api/v1/consumers/{id}/keys/{id}", List.of(), null, true),
            new Route("PUT", "/api/v1/consumers/{id}/budget", List.of(), "budget", true),
            new Route("GET", "/api/v1/consumers/{id}/budget", List.of(), null, false),
            new Route("GET", "/health", List.of(), null, false),
            new Route("GET", "/ready", List.of(), null, false),
            new Route("GET", "/openapi", List.of(), null, false));

    /** The same kinds of input straight at the services behind the gateway (they must hold without it). */
    static final Map<String, List<Route>> INTERNAL = Map.of(
            "session-service",
                    List.of(
                            new Route("POST", "/sessions", List.of(), "session", false),
                            new Route(
                                    "GET",
                                    "/sessions",
                                    List.of("consumer_id", "status", "provider", "limit"),
                                    null,
                                    false),
                            new Route("GET", "/sessions/{id}", List.of(), null, false),
                            new Route("POST", "/sessions/{id}/extend", List.of(), "extend", false),
                            new Route("POST", "/sessions/{id}/heartbeat", List.of(), "heartbeat", false),
                            new Route("GET", "/sessions/{id}/diagnostics", List.of(), null, false)),
            "billing-service",
                    List.of(
                            new Route(
                                    "GET",
                                    "/costs",
                                    List.of("session_id", "consumer_id", "start_date", "end_date", "period"),
                                    null,
                                    false),
                            new Route("GET", "/costs/summary", List.of("consumer_id"), null, false),
                            new Route("PUT", "/budgets/{id}", List.of(), "budget", false),
                            new Route("GET", "/budgets/{id}", List.of(), null, false),
                            new Route("POST", "/budgets/check", List.of(), "check", false)),
            "inventory-service",
                    List.of(
                            new Route(
                                    "GET",
                                    "/inventory",
                                    List.of(
                                            "provider",
                                            "gpu_type",
                                            "min_vram",
                                            "max_price",
                                            "limit",
                                            "offset",
                                            "template_hash_id"),
                                    null,
                                    false),
                            new Route("GET", "/inventory/{id}", List.of(), null, false),
                            new Route("GET", "/templates/{id}", List.of(), null, false),
                            new Route("GET", "/offer-health", List.of(), null, false)),
            "provider-gateway",
                    List.of(
                            new Route("GET", "/providers", List.of(), null, false),
                            new Route("GET", "/templates/{id}", List.of(), null, false)));

    /** An answer read off the socket. */
    record Answer(int status, String head, String body) {}

    /** What was sent, short enough to print. */
    record Sent(String target, String method, String line, String headers, String body) {
        String describe() {
            return target + " " + cut(line, 300) + " | headers " + cut(headers.replace("\r\n", "; "), 200) + " | body "
                    + cut(body, 300);
        }
    }

    @Test
    void noInputGetsA5xxOrA4xxWithoutTheErrorBody() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int total = Integer.getInteger("fuzz.requests", 2_000);
        System.out.printf(
                "FuzzTests: seed %d, %d requests (replay with -Dfuzz.seed=%d -Dfuzz.requests=%d)%n",
                seed, total, seed, total);

        String admin = E2EStack.get().adminKeyValue();
        String gw = url("api-gateway");
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        E2EStack.Reply team = call(
                "POST",
                gw + "/api/v1/consumers",
                Map.of("consumer_id", "fuzz-" + suffix),
                "Authorization",
                "Bearer " + admin);
        assertThat(team.status()).as(team.body().toString()).isEqualTo(201);
        String consumerKey = team.body().path("api_key").asText();
        E2EStack.Reply second = call(
                "POST", gw + "/api/v1/consumers/fuzz-" + suffix + "/keys", null, "Authorization", "Bearer " + admin);
        assertThat(second.status()).isEqualTo(201);
        String revokedKey = second.body().path("api_key").asText();
        E2EStack.Reply revoke = call(
                "DELETE",
                gw + "/api/v1/consumers/fuzz-" + suffix + "/keys/"
                        + second.body().path("key_id").asText(),
                null,
                "Authorization",
                "Bearer " + admin);
        assertThat(revoke.status()).isEqualTo(200);
        Inputs in = new Inputs(admin, consumerKey, revokedKey, "fuzz-" + suffix);
        // the fuzz is about input, not start-up: wait until the template cache and the catalog answer
        for (String path : List.of("/api/v1/templates", "/api/v1/inventory?limit=1")) {
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> call("GET", gw + path, null, "Authorization", "Bearer " + admin)
                                    .status()
                            == 200);
        }

        Map<String, URI> targets = new TreeMap<>();
        targets.put("api-gateway", URI.create(gw));
        INTERNAL.keySet().forEach(s -> targets.put(s, URI.create(url(s))));
        List<String> internal = new ArrayList<>(INTERNAL.keySet());
        Collections.sort(internal);

        Random master = new Random(seed);
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            seeds.add(master.nextLong());
        }
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (long s : seeds) {
                all.add(pool.submit(() -> {
                    Random rnd = new Random(s);
                    Sent sent;
                    if (rnd.nextInt(100) < 15) {
                        String service = internal.get(rnd.nextInt(internal.size()));
                        List<Route> routes = INTERNAL.get(service);
                        sent = in.request(rnd, service, routes.get(rnd.nextInt(routes.size())), false);
                    } else {
                        sent = in.request(rnd, "api-gateway", GATEWAY.get(rnd.nextInt(GATEWAY.size())), true);
                    }
                    String problem;
                    Answer a = null;
                    try {
                        a = send(targets.get(sent.target()), sent);
                        problem = judge(sent, a);
                    } catch (IOException e) {
                        problem = "no answer: " + e;
                    }
                    statuses.computeIfAbsent(a == null ? -1 : a.status(), k -> new AtomicInteger())
                            .incrementAndGet();
                    if (problem != null) {
                        failures.add(problem + " <- " + sent.describe()
                                + (a == null
                                        ? ""
                                        : " -> " + cut(a.head().replace("\r\n", "; "), 200) + " | "
                                                + cut(a.body(), 300)));
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long fivexx = statuses.entrySet().stream()
                .filter(e -> e.getKey() >= 500)
                .mapToLong(e -> e.getValue().get())
                .sum();
        System.out.printf(
                Locale.ROOT,
                "FuzzTests: %d requests in %.1f s, %d x 5xx, %d failures, statuses %s (seed %d)%n",
                total,
                seconds,
                fivexx,
                failures.size(),
                new TreeMap<>(statuses),
                seed);
        failures.stream().limit(MAX_FAILURES_SHOWN).forEach(f -> System.out.println("FUZZ FAILURE " + f));
        assertThat(failures)
                .as("seed " + seed + ": answers that are a 5xx, or a 4xx without {error, request_id}")
                .isEmpty();
    }

    /** Null when the answer is acceptable, else what is wrong with it. */
    static String judge(Sent sent, Answer a) {
        if (a.status() >= 500) {
            return "5xx";
        }
        if (a.status() < 400 || sent.method().equals("HEAD")) {
            return null; // a HEAD answer has no body by definition
        }
        try {
            JsonNode j = E2EStack.JSON.readTree(a.body());
            if (j == null
                    || !j.path("error").isTextual()
                    || j.path("error").asText().isBlank()
                    || !j.path("request_id").isTextual()
                    || j.path("request_id").asText().isBlank()) {
                return "4xx without {error, request_id}";
            }
            return null;
        } catch (IOException e) {
            return "4xx whose body is not JSON";
        }
    }

    /** The generators: every value is drawn from the request's own seeded Random. */
    record Inputs(String admin, String consumerKey, String revokedKey, String consumer) {

        Sent request(Random r, String target, Route route, boolean gateway) {
            String method = r.nextInt(100) < 8
                    ? pick(r, "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "FOO")
                    : route.method();
            StringBuilder path = new StringBuilder();
            String template = route.path();
            int at = 0;
            for (int i = template.indexOf("{id}"); i >= 0; i = template.indexOf("{id}", at)) {
                path.append(template, at, i).append(pathId(r));
                at = i + 4;
            }
            path.append(template.substring(at));
            String uri = pathTrick(r, path.toString());
            String query = query(r, route.query());
            if (!query.isEmpty()) {
                uri += "?" + query;
            }
            List<String> headers = new ArrayList<>();
            headers.add("Host: 127.0.0.1");
            headers.add("Connection: close");
            if (gateway) {
                String auth = auth(r, route.admin());
                if (auth != null) {
                    headers.add(auth);
                }
            }
            byte[] body = body(r, route.body());
            if (body != null) {
                headers.add(contentType(r));
            }
            if (r.nextInt(100) < 4) {
                headers.add("X-Filler: "
                        + "h".repeat(r.nextInt(100) < 50 ? 1_000 + r.nextInt(20_000) : 33_000 + r.nextInt(150_000)));
            }
            if (r.nextInt(100) < 3) {
                for (int i = 0, n = 50 + r.nextInt(300); i < n; i++) {
                    headers.add("X-Many-" + i + ": " + "v".repeat(r.nextInt(200)));
                }
            }
            if (r.nextInt(100) < 5) {
                headers.add("X-Request-ID: " + pick(r, "<script>", "a".repeat(500), "ok-id-1", "\u00e9t\u00e9", "x y"));
            }
            if (r.nextInt(100) < 3) {
                headers.add("Idempotency-Key: " + pick(r, "", "k".repeat(300), "key-" + r.nextInt(1000), "\u00fc"));
            }
            String line = method + " " + uri + " HTTP/1.1";
            return new Sent(
                    target,
                    method,
                    line,
                    String.join("\r\n", headers),
                    body == null ? "" : new String(body, StandardCharsets.UTF_8));
        }

        String auth(Random r, boolean adminRoute) {
            int k = r.nextInt(100);
            if (k < (adminRoute ? 70 : 45)) {
                return "Authorization: Bearer " + admin;
            }
            if (k < 80) {
                return "Authorization: Bearer " + consumerKey;
            }
            return switch (r.nextInt(7)) {
                case 0 -> null;
                case 1 -> "Authorization: Bearer " + revokedKey;
                case 2 ->
                    "Authorization: Basic "
                            + java.util.Base64.getEncoder().encodeToString("a:b".getBytes(StandardCharsets.UTF_8));
                case 3 -> "Authorization: Bearer gbk_0123456789abcdef_" + "A".repeat(43);
                case 4 -> "Authorization: Bearer " + "x".repeat(r.nextInt(5_000));
                case 5 -> "Authorization: Bearer";
                default -> "Authorization: bearer " + admin.substring(0, admin.length() - 1);
            };
        }

        String pathId(Random r) {
            return switch (r.nextInt(16)) {
                case 0 -> consumer;
                case 1 -> "sess-" + Long.toHexString(r.nextLong());
                case 2 -> "%00";
                case 3 -> "a%00b";
                case 4 -> pick(r, "%01", "%0a", "%0d%0a", "%7f", "%c2%85", "%1b%5b31m", "%09");
                case 5 ->
                    pick(r, "..", "%2e%2e", "%2E", ".", "%2f", "a%2fb", "..%2f..%2fetc%2fpasswd", "%5c", "%25", "%");
                case 6 -> pick(r, "{", "}", "{id}", "a{b}c", "|", "^", "`", "<x>", "\"", "[", "]");
                case 7 -> "x".repeat(100 + r.nextInt(400));
                case 8 -> "y".repeat(9_000 + r.nextInt(60_000));
                case 9 -> encode(unicode(r, 1 + r.nextInt(40)));
                case 10 -> pick(r, "%zz", "%e9", "%c3", "%ed%a0%80", "%f0%9f%98", "%ff%fe");
                case 11 -> "";
                case 12 ->
                    pick(r, "vastai-1", "rackrr-12", "barrack-x", "0", "-1", "99999999999999999999", "null", "true");
                case 13 -> encode(randomText(r));
                case 14 -> pick(r, "a;b=c", "a?b", "a#b", "a+b", "a b".replace(" ", "%20"), "@", ":", "~");
                default -> Long.toString(r.nextLong());
            };
        }

        static String pathTrick(Random r, String path) {
            return switch (r.nextInt(30)) {
                case 0 -> path + "/";
                case 1 -> path.replace("/api/v1/", "/api/v1//");
                case 2 -> path.replace("/api/v1/", "/api/v1/./");
                case 3 -> path.replace("/api/v1/", "/api/v1/x/../");
                case 4 -> path.replace("/api/v1/", "/api/v1/%2e%2e/v1/");
                case 5 -> path.replace("/api/", "/API/");
                case 6 -> path.replace("/", "%2f");
                case 7 -> path + "/extra";
                case 8 -> path + ";jsessionid=1";
                default -> path;
            };
        }

        static String query(Random r, List<String> names) {
            List<String> parts = new ArrayList<>();
            int n = names.isEmpty() ? (r.nextInt(10) == 0 ? 1 : 0) : r.nextInt(4);
            for (int i = 0; i < n; i++) {
                String name = names.isEmpty() || r.nextInt(8) == 0
                        ? pick(r, "unknown", "%00", "a%0ab", "", "x".repeat(300), "limit")
                        : names.get(r.nextInt(names.size()));
                parts.add(name + (r.nextInt(15) == 0 ? "" : "=" + queryValue(r)));
            }
            if (r.nextInt(40) == 0) {
                parts.add(pick(r, "&&&", "=", "==", "a=1&a=2", "%", "%zz=1", "a=%zz"));
            }
            return String.join("&", parts);
        }

        static String queryValue(Random r) {
            return switch (r.nextInt(14)) {
                case 0 ->
                    pick(
                            r,
                            "0",
                            "-1",
                            "1",
                            "100",
                            "2147483648",
                            "-2147483649",
                            "9223372036854775808",
                            "1e308",
                            "-1e-308",
                            "NaN",
                            "Infinity",
                            "0x10",
                            "1.5",
                            "1,5",
                            "01");
                case 1 -> pick(r, "vastai", "rackrr", "barrack", "tensordock", "trooper", "unknown", "VASTAI");
                case 2 ->
                    pick(
                            r,
                            "daily",
                            "monthly",
                            "yearly",
                            "2026-01-01",
                            "2026-02-30",
                            "2026-1-5",
                            "99999-01-01",
                            "-2026-01-01");
                case 3 -> pick(r, "pending", "running", "stopped", "RUNNING", "%00");
                case 4 -> "%00";
                case 5 -> pick(r, "%01", "%0a", "%7f", "%c2%9f", "%0d%0aSet-Cookie:%20x=1");
                case 6 -> encode(unicode(r, 1 + r.nextInt(60)));
                case 7 -> "q".repeat(500 + r.nextInt(3_000));
                case 8 -> "".repeat(1);
                case 9 -> pick(r, "%zz", "%", "%e9", "%ed%a0%80", "a%2fb", "..%2f");
                case 10 -> encode(randomText(r));
                case 11 -> pick(r, "RTX%204090", "A100", "US-West", "fuzz-x", "sess-0000000000000000");
                case 12 -> "a+b+c";
                default -> Integer.toString(r.nextInt(2_000) - 1_000);
            };
        }

        byte[] body(Random r, String kind) {
            if (kind == null) {
                return r.nextInt(20) == 0 ? "{\"unexpected\":true}".getBytes(StandardCharsets.UTF_8) : null;
            }
            int k = r.nextInt(100);
            if (k < 6) {
                return null;
            }
            if (k < 16) {
                return pick(
                                r,
                                "{",
                                "}",
                                "[",
                                "{\"a\":",
                                "{\"a\" 1}",
                                "nul",
                                "{'a':1}",
                                "{\"a\":1,}",
                                "{\"a\":1}{",
                                "\u0000",
                                "{\"a\":\"\\x\"}",
                                "\"just a string\"",
                                "42",
                                "true",
                                "null",
                                "[]",
                                "[1,2]",
                                "{}{}",
                                "\uFEFF{}",
                                "{\"a\":01}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            if (k < 19) {
                return ("[".repeat(5_000 + r.nextInt(20_000))).getBytes(StandardCharsets.UTF_8);
            }
            if (k < 21) {
                // over the 1 MB the gateway accepts
                String big = "{\"name\":\"" + "z".repeat(1024 * 1024 + r.nextInt(200_000)) + "\"}";
                return big.getBytes(StandardCharsets.UTF_8);
            }
            if (k < 23) {
                byte[] raw = new byte[1 + r.nextInt(2_000)];
                r.nextBytes(raw);
                return raw;
            }
            Map<String, Object> b = new TreeMap<>(template(kind));
            int mutations = 1 + r.nextInt(3);
            List<String> keys = new ArrayList<>(b.keySet());
            for (int i = 0; i < mutations; i++) {
                if (keys.isEmpty() || r.nextInt(6) == 0) {
                    b.put(pick(r, "unknown_field", "\u0000", "a".repeat(300), "consumer_id", "offer_id", ""), value(r));
                } else {
                    String key = keys.get(r.nextInt(keys.size()));
                    if (r.nextInt(8) == 0) {
                        b.remove(key);
                    } else {
                        b.put(key, value(r));
                    }
                }
            }
            return toJson(b).getBytes(StandardCharsets.UTF_8);
        }

        Map<String, Object> template(String kind) {
            return switch (kind) {
                case "session" ->
                    Map.of(
                            "offer_id",
                            "fuzz-offer-does-not-exist",
                            "workload_type",
                            "llm",
                            "reservation_hours",
                            1,
                            "consumer_id",
                            consumer);
                case "extend" -> Map.of("additional_hours", 1);
                case "heartbeat" -> Map.of("agent_token", "t", "gpu_util_pct", 10, "idle_seconds", 0);
                case "consumer" -> Map.of("name", "Fuzz team");
                case "budget" -> Map.of("monthly_limit", 100, "currency", "USD");
                case "check" -> Map.of("consumer_id", consumer, "amount", 1);
                default -> Map.of();
            };
        }

        /** A JSON value in raw form (already serialised). */
        static Raw value(Random r) {
            return new Raw(
                    switch (r.nextInt(16)) {
                        case 0 -> "\"1\"";
                        case 1 ->
                            pick(
                                    r,
                                    "1e308",
                                    "-1e308",
                                    "1e999",
                                    "99999999999999999999999999",
                                    "-1",
                                    "0",
                                    "-0",
                                    "2147483648",
                                    "-9223372036854775809",
                                    "1.5",
                                    "0.000000000000000001",
                                    "1E2",
                                    "123456789.123456789");
                        case 2 -> pick(r, "true", "false", "null", "[]", "{}", "[1]", "{\"a\":1}", "[null]");
                        case 3 -> "\"a\\u0000b\"";
                        case 4 ->
                            "\""
                                    + pick(
                                            r,
                                            "\\u0001",
                                            "\\n",
                                            "\\r\\n",
                                            "\\t",
                                            "\\u007f",
                                            "\\u001b[31m",
                                            "\\ud800",
                                            "\\udc00x")
                                    + "\"";
                        case 5 -> quote("s".repeat(100 + r.nextInt(20_000)));
                        case 6 -> quote(unicode(r, 1 + r.nextInt(200)));
                        case 7 ->
                            quote(pick(
                                    r, "", " ", "llm", "batch", "ssh", "entrypoint", "preserve", "USD", "usd", "EURO"));
                        case 8 ->
                            quote(pick(
                                    r,
                                    "../../etc/passwd",
                                    "'; drop table sessions; --",
                                    "<script>",
                                    "${jndi:ldap://x}",
                                    "%00"));
                        case 9 -> "\"true\"";
                        case 10 -> "\"100.5\"";
                        case 11 -> "[" + "1,".repeat(r.nextInt(1_000)) + "1]";
                        case 12 -> "{\"nested\":" + "{\"a\":".repeat(50) + "1" + "}".repeat(50) + "}";
                        case 13 -> quote(randomText(r));
                        case 14 -> Integer.toString(r.nextInt(100) - 50);
                        default -> pick(r, "NaN", "Infinity", "01", "+1", ".5", "0x10");
                    });
        }

        static String contentType(Random r) {
            return "Content-Type: "
                    + (r.nextInt(100) < 80
                            ? "application/json"
                            : pick(
                                    r,
                                    "text/plain",
                                    "application/xml",
                                    "application/json; charset=utf-16",
                                    "application/x-www-form-urlencoded",
                                    "multipart/form-data; boundary=x",
                                    "application/merge-patch+json",
                                    "*/*",
                                    "",
                                    "application/json; charset=\u00e9"));
        }
    }

    /** A value that goes into the body as written. */
    record Raw(String json) {}

    static String toJson(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(quote(k))
                    .append(':')
                    .append(v instanceof Raw raw ? raw.json() : v instanceof String s ? quote(s) : String.valueOf(v));
        });
        return sb.append('}').toString();
    }

    static String quote(String s) {
        try {
            return E2EStack.JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String unicode(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(pick(
                    r, 0xe9, 0x4e2d, 0x1f680, 0x202e, 0xfeff, 0x200b, 0x0301, 0x10ffff, 0xfffd, 0x0410, 0x05d0,
                    0x0627));
        }
        return sb.toString();
    }

    static String randomText(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(40); i < n; i++) {
            sb.append((char) (r.nextInt(10) == 0 ? r.nextInt(0x20) : 0x20 + r.nextInt(0x5f)));
        }
        return sb.toString();
    }

    static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @SafeVarargs
    static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
    }

    /** Sends the request as bytes, exactly as generated, and reads the answer to the end. */
    static Answer send(URI base, Sent sent) throws IOException {
        byte[] body = sent.body().isEmpty() ? null : sent.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(sent.line())
                .append("\r\n")
                .append(sent.headers())
                .append("\r\n");
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                try {
                    out.write(body);
                } catch (IOException e) {
                    // the server may answer (413) and close before it has read a large body
                }
            }
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                in.transferTo(all);
            } catch (java.net.SocketException e) {
                if (all.size() == 0) {
                    throw e;
                }
            }
            return parse(all.toByteArray(), sent.method().equals("HEAD"));
        }
    }

    static Answer parse(byte[] raw, boolean head) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            throw new IOException("incomplete answer: " + cut(text, 200));
        }
        String headers = text.substring(0, split);
        String[] first = headers.split(" ", 3);
        int status = Integer.parseInt(first[1]);
        byte[] rest = java.util.Arrays.copyOfRange(raw, split + 4, raw.length);
        if (!head && headers.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            rest = dechunk(rest);
        }
        return new Answer(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    static byte[] dechunk(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < in.length) {
            int eol = i;
            while (eol + 1 < in.length && !(in[eol] == '\r' && in[eol + 1] == '\n')) {
                eol++;
            }
            String size = new String(in, i, eol - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int n = size.isEmpty() ? 0 : Integer.parseInt(size, 16);
            if (n == 0) {
                break;
            }
            out.write(in, eol + 2, Math.min(n, in.length - eol - 2));
            i = eol + 2 + n + 2;
        }
        return out.toByteArray();
    }
}
