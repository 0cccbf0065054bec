package io.gpubroker.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gpubroker.contracts.BilledCosts;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stands in for provider-gateway's provider routes on a loopback port (the real gateway is another
 * process; its own tests read the simulators' billing through them): {@code GET /providers} lists
 * vastai, rackrr and barrack as readable and tensordock as not, and {@code POST
 * /providers/{provider}/billed-costs} answers, for the asked instances only, what a test said the
 * provider billed ({@link #bill}) or could not read ({@link #skip}), or the error a test set
 * ({@link #fail}). Like the gateway it refuses calls without the internal token. Also makes accrual
 * run every second and keeps the reconciliation schedule out of the tests' way.
 */
public class FakeProviderGateway implements QuarkusTestResourceLifecycleManager {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Map<String, BigDecimal>> BILLED = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, String>> SKIPPED = new ConcurrentHashMap<>();
    private static final Map<String, Failure> FAILING = new ConcurrentHashMap<>();
    private static final AtomicReference<Failure> LISTING = new AtomicReference<>();
    private HttpServer server;

    /** An error answer: status and body, as the gateway sends them. */
    record Failure(int status, String body) {}

    /** The provider billed {@code amount} for {@code instanceId}. */
    static void bill(String provider, String instanceId, BigDecimal amount) {
        Map<String, String> skipped = SKIPPED.get(provider);
        if (skipped != null) {
            skipped.remove(instanceId);
        }
        BILLED.computeIfAbsent(provider, p -> new ConcurrentHashMap<>()).put(instanceId, amount);
    }

    /** The gateway could not read {@code instanceId}'s billing this time. */
    static void skip(String provider, String instanceId, String reason) {
        SKIPPED.computeIfAbsent(provider, p -> new ConcurrentHashMap<>()).put(instanceId, reason);
    }

    /** Billed-costs calls for {@code provider} answer {@code status} with the gateway's error body until {@link #reset}. */
    static void fail(String provider, int status, String error, String errorType, int providerStatus) {
        FAILING.put(
                provider,
                new Failure(
                        status,
                        json(Map.of(
                                "error",
                                error,
                                "error_type",
                                errorType,
                                "provider",
                                provider,
                                "retry_suggested",
                                "transient".equals(errorType),
                                "provider_status",
                                providerStatus))));
    }

    /** {@code GET /providers} answers {@code status} (null: the normal listing again). */
    static void failListing(Integer status) {
        LISTING.set(status == null ? null : new Failure(status, "{\"error\":\"provider-gateway unavailable\"}"));
    }

    static void reset() {
        FAILING.clear();
        LISTING.set(null);
        SKIPPED.clear();
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/providers", this::handle);
        server.start();
        Map<String, String> config = new HashMap<>();
        config.put(
                "quarkus.rest-client.provider-gateway.url",
                "http://127.0.0.1:" + server.getAddress().getPort());
        config.put("billing.accrual.every", "1s");
        config.put("billing.reconcile.every", "1h");
        config.put("billing.reconcile.delay", "1h");
        return config;
    }

    private void handle(HttpExchange ex) throws IOException {
        if (!TestStack.INTERNAL_TOKEN.equals(ex.getRequestHeaders().getFirst(TestStack.INTERNAL_HEADER))) {
            answer(ex, 401, "{\"error\":\"internal token missing or wrong\"}");
            return;
        }
        String path = ex.getRequestURI().getPath();
        if (path.equals("/providers") && "GET".equals(ex.getRequestMethod())) {
            Failure f = LISTING.get();
            if (f != null) {
                answer(ex, f.status(), f.body());
                return;
            }
            answer(
                    ex,
                    200,
                    json(Map.of(
                            "providers",
                            List.of(
                                    Map.of("provider", "vastai", "enabled", true, "billed_costs", true),
                                    Map.of("provider", "tensordock", "enabled", true, "billed_costs", false),
                                    Map.of("provider", "rackrr", "enabled", true, "billed_costs", true),
                                    Map.of("provider", "barrack", "enabled", true, "billed_costs", true),
                                    Map.of("provider", "trooper", "enabled", false, "billed_costs", false)))));
            return;
        }
        String[] parts = path.split("/");
        if (parts.length == 4 && "billed-costs".equals(parts[3]) && "POST".equals(ex.getRequestMethod())) {
            String provider = parts[2];
            Failure f = FAILING.get(provider);
            if (f != null) {
                answer(ex, f.status(), f.body());
                return;
            }
            JsonNode asked = JSON.readTree(ex.getRequestBody()).path("instance_ids");
            Map<String, BigDecimal> costs = new HashMap<>();
            Map<String, String> skipped = new HashMap<>();
            for (JsonNode id : asked) {
                String i = id.asText();
                String reason = SKIPPED.getOrDefault(provider, Map.of()).get(i);
                BigDecimal cost = BILLED.getOrDefault(provider, Map.of()).get(i);
                if (reason != null) {
                    skipped.put(i, reason);
                } else if (cost != null) {
                    costs.put(i, cost);
                }
            }
            answer(ex, 200, json(new BilledCosts(provider, costs, skipped)));
            return;
        }
        answer(ex, 404, "{\"error\":\"no such route\"}");
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
