package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static io.gpubroker.e2e.SessionLifecycleTests.firstOffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Issue #12: 50 sessions created at once on the 60x clock (10 consumers x 5, one per provider, no
 * faults) through the api-gateway. Each must reach {@code running} or be refused for a reason that
 * is not transient; none may fail because the saga stopped waiting for a healthy, busy gateway.
 * Then all end and the simulators' books show nothing billing past the end.
 * Runs in CI; {@code -Dbroker.e2e.burst=false} skips it on a machine too loaded to answer 50 creates
 * within the api-gateway's upstream timeout (seen at a load average of 75: 504s, see issue #16).
 */
@DisabledIfSystemProperty(named = "broker.e2e.burst", matches = "false")
class BurstOfSessionsTests {
    static final int CONSUMERS = 10;

    @Test
    void fiftySessionsAtOnceAllRunOrAreRefusedForGoodAndNothingBillsAfterTheirEnd() throws Exception {
        String admin = E2EStack.get().adminKeyValue();
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<String> keys = new ArrayList<>();
        List<JsonNode> offers = new ArrayList<>();
        Map<String, List<JsonNode>> pools = new java.util.HashMap<>();
        for (String provider : SessionFaultsTests.PROVIDERS) {
            pools.put(provider, freshOffers(provider));
        }
        for (int c = 0; c < CONSUMERS; c++) {
            keys.add(GatewayFlowTests.consumer(admin, "burst-" + run + "-" + c));
            for (String provider : SessionFaultsTests.PROVIDERS) {
                List<JsonNode> pool = pools.get(provider);
                offers.add(pool.get(c % pool.size()));
            }
        }
        List<String> unanswered = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(offers.size());
        try {
            List<Future<E2EStack.Reply>> replies = new ArrayList<>();
            for (int n = 0; n < offers.size(); n++) {
                String key = keys.get(n / SessionFaultsTests.PROVIDERS.length);
                String offerId = offers.get(n).path("id").asText();
                replies.add(pool.submit(() -> call(
                        "POST",
                        GatewayFlowTests.gw() + "/api/v1/sessions",
                        Map.of("offer_id", offerId, "workload_type", "batch", "reservation_hours", 1),
                        "Authorization",
                        "Bearer " + key)));
            }
            for (int n = 0; n < replies.size(); n++) {
                E2EStack.Reply r = replies.get(n).get();
                if (r.status() != 201 && r.status() != 409) {
                    unanswered.add("create " + n + ": " + r.status() + " " + r.body());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // every session the broker holds for these consumers, also those whose create was not answered
        Map<String, String> keyOf = new ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    for (String key : keys) {
                        E2EStack.Reply r = call(
                                "GET",
                                GatewayFlowTests.gw() + "/api/v1/sessions",
                                null,
                                "Authorization",
                                "Bearer " + key);
                        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
                        r.body()
                                .path("sessions")
                                .forEach(s -> keyOf.put(s.path("id").asText(), key));
                    }
                });

        Map<String, JsonNode> settled = new ConcurrentHashMap<>();
        await().atMost(Duration.ofMinutes(6))
                .pollInterval(Duration.ofSeconds(2))
                .ignoreExceptionsInstanceOf(IllegalStateException.class)
                .until(() -> {
                    for (String id : keyOf.keySet()) {
                        if (!settled.containsKey(id)) {
                            JsonNode s = call("GET", url("session-service") + "/sessions/" + id, null)
                                    .body();
                            if (List.of("running", "failed", "stopped")
                                    .contains(s.path("status").asText())) {
                                settled.put(id, s);
                            }
                        }
                    }
                    return settled.size() == keyOf.size();
                });
        List<String> transientFailures = settled.values().stream()
                .filter(s -> !s.path("status").asText().equals("running"))
                .filter(s -> "transient".equals(s.path("error_class").asText())
                        || s.path("failure_reason").asText().contains("did not answer"))
                .map(s -> s.path("id").asText() + " on " + s.path("provider").asText() + ": "
                        + s.path("failure_reason").asText())
                .toList();
        assertThat(transientFailures)
                .as("sessions given up on while the providers were healthy")
                .isEmpty();

        List<BillingBound.Ended> ended = new ArrayList<>();
        for (String id : keyOf.keySet()) {
            try {
                call(
                        "POST",
                        GatewayFlowTests.gw() + "/api/v1/sessions/" + id + "/done",
                        null,
                        "Authorization",
                        "Bearer " + keyOf.get(id));
            } catch (IllegalStateException lateAnswer) {
                // its reservation (1 h: one real minute at 60x) ends it all the same
            }
        }
        for (String id : keyOf.keySet()) {
            ended.add(BillingBound.ended(BillingBound.awaitEnded(id)));
        }
        BillingBound.nothingBilledPastTheEnd(ended);
        assertThat(unanswered)
                .as("creates the api-gateway could not answer (" + keyOf.size() + " sessions exist)")
                .isEmpty();
    }

    /**
     * The provider's available offers no other test holds, without claiming them: the burst ends every
     * session it makes, so later tests find these offers again (claiming ten per provider here starved
     * them). Several consumers may share one offer; a single-use ask taken twice fails for want of
     * capacity, which the test accepts (it is not a transient failure).
     */
    static List<JsonNode> freshOffers(String provider) {
        JsonNode mine = firstOffer(provider); // waits for a fresh catalog; this one offer stays claimed
        E2EStack.Reply r =
                call("GET", url("inventory-service") + "/inventory?provider=" + provider + "&limit=200", null);
        List<JsonNode> out = new ArrayList<>(List.of(mine));
        r.body().path("offers").forEach(o -> {
            if (o.path("available").asBoolean()
                    && !o.path("stale").asBoolean(false)
                    && !SessionLifecycleTests.USED.contains(o.path("id").asText())) {
                out.add(o);
            }
        });
        assertThat(out).as("available " + provider + " offers").isNotEmpty();
        return out;
    }
}
