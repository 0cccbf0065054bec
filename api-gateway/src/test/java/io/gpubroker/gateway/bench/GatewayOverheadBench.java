package io.gpubroker.gateway.bench;

import io.gpubroker.gateway.FakeServices;
import io.gpubroker.gateway.GatewayTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Gateway overhead per request: p50/p99 of GET /api/v1/offer-health through the gateway (consumer
 * key: auth from the key cache, rate limiter, forwarding) and of a session-scoped call (ownership
 * lookup + forward), against the same fake service called directly. A harness, not a test: run
 * {@code ./mvnw -o -q install -pl api-gateway -Dtest=GatewayOverheadBench -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@QuarkusTest
@TestProfile(GatewayOverheadBench.Profile.class)
@EnabledIfSystemProperty(named = "bench", matches = "true")
class GatewayOverheadBench {
    static final int WARMUP = 1_000;
    static final int N = 5_000;

    /** The test profile without a practical rate limit, so the bench measures the path, not the throttle. */
    public static class Profile extends GatewayTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("broker.rate-limit.requests-per-second", "1000000");
            m.put("broker.rate-limit.burst", "1000000");
            return m;
        }
    }

    @Test
    void measure() throws Exception {
        String consumer = "bench-" + System.nanoTime();
        String key = RestAssured.given()
                .header("Authorization", "Bearer " + GatewayTestProfile.ADMIN)
                .contentType(ContentType.JSON)
                .body(Map.of("consumer_id", consumer))
                .post("/api/v1/consumers")
                .path("api_key");
        FakeServices f = FakeServices.get();
        String session = f.seedSession(consumer, "running");
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        String gw = "http://127.0.0.1:" + RestAssured.port;
        report("direct   GET /offer-health", run(http, f.inventory.url() + "/offer-health", null));
        report("gateway  GET /api/v1/offer-health (consumer key)", run(http, gw + "/api/v1/offer-health", key));
        report(
                "gateway  GET /api/v1/offer-health (admin key)",
                run(http, gw + "/api/v1/offer-health", GatewayTestProfile.ADMIN));
        report(
                "direct   GET /sessions/{id}/diagnostics",
                run(http, f.session.url() + "/sessions/" + session + "/diagnostics", null));
        report(
                "gateway  GET /api/v1/sessions/{id}/diagnostics (consumer key, ownership check)",
                run(http, gw + "/api/v1/sessions/" + session + "/diagnostics", key));
    }

    static long[] run(HttpClient http, String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        HttpRequest req = b.build();
        long[] t = new long[N];
        for (int i = 0; i < WARMUP + N; i++) {
            long s = System.nanoTime();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            long d = System.nanoTime() - s;
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
            }
            if (i >= WARMUP) {
                t[i - WARMUP] = d;
            }
        }
        Arrays.sort(t);
        return t;
    }

    static void report(String what, long[] sorted) {
        System.out.printf(
                "BENCH %-80s p50 %7.3f ms  p99 %7.3f ms  (n=%d)%n",
                what, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6, sorted.length);
    }
}
