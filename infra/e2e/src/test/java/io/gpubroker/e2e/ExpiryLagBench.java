package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (prints, asserts nothing): N sessions with a 1-hour reservation on the 60x stack; when
 * they expire, session-service records how late (in real seconds) each stop was decided after the
 * due time. Run: ./mvnw -o test -pl infra/e2e -Dtest=ExpiryLagBench -Dbench=true (test infra up).
 */
class ExpiryLagBench {

    @Test
    void expiryLag() {
        Assumptions.assumeTrue(Boolean.getBoolean("bench"), "benchmark: run with -Dbench=true");
        int n = Integer.getInteger("sessions", 40);
        List<String> ids = new ArrayList<>();
        String[] providers = {"rackrr", "barrack", "vastai", "tensordock"};
        for (int i = 0; i < n; i++) {
            String provider = providers[i % providers.length];
            JsonNode offer = SessionLifecycleTests.firstOffer(provider);
            E2EStack.Reply r = call(
                    "POST",
                    url("session-service") + "/sessions",
                    Map.of(
                            "consumer_id",
                            "bench-" + UUID.randomUUID(),
                            "offer_id",
                            offer.path("id").asText(),
                            "workload_type",
                            "batch",
                            "reservation_hours",
                            1));
            if (r.status() == 201) {
                ids.add(r.body().path("session").path("id").asText());
            }
        }
        await().atMost(Duration.ofMinutes(6))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> ids.stream().allMatch(id -> {
                    String st = call("GET", url("session-service") + "/sessions/" + id, null)
                            .body()
                            .path("status")
                            .asText();
                    return st.equals("stopped") || st.equals("failed");
                }));
        String metrics = E2EStack.HTTP_GET(url("session-service") + "/q/metrics");
        System.out.println(
                "expiry lag over " + ids.size() + " sessions (real seconds after the due time, clock 60x, tick 1 s):");
        metrics.lines()
                .filter(l -> l.startsWith("gpu_session_expiry_lag_seconds"))
                .forEach(System.out::println);
    }
}
