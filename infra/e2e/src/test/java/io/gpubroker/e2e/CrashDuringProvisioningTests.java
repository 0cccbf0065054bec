package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static io.gpubroker.e2e.SessionLifecycleTests.firstOffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.stack.Stack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Issue #12: kill -9 of provider-gateway and session-service while sessions provision. The gateway
 * is killed first, so create commands pile up for its restart (the backlog that used to create
 * instances long after their session had failed), then session-service mid-saga; both restart.
 * Every session is then ended and the simulators' books must show nothing billing past the end.
 */
class CrashDuringProvisioningTests {
    static final int ROUNDS = 3;

    @Test
    void crashesDuringProvisioningLeaveNoInstanceBillingPastItsSessionsEnd() throws Exception {
        Stack stack = E2EStack.get();
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            stack.kill9("provider-gateway");
            for (String provider : SessionFaultsTests.PROVIDERS) {
                ids.add(create(provider, round));
            }
            Thread.sleep(1_000); // the saga is mid-way: commands written, some published
            stack.kill9("session-service");
            CompletableFuture<Void> gw = CompletableFuture.runAsync(() -> stack.restart("provider-gateway"));
            CompletableFuture<Void> ss = CompletableFuture.runAsync(() -> stack.restart("session-service"));
            CompletableFuture.allOf(gw, ss).get();
        }
        List<BillingBound.Ended> ended = new ArrayList<>();
        for (String id : ids) {
            ended.add(BillingBound.ended(end(id)));
        }
        BillingBound.nothingBilledPastTheEnd(ended);
    }

    static String create(String provider, int round) {
        JsonNode offer = firstOffer(provider);
        E2EStack.Reply r = call(
                "POST",
                url("session-service") + "/sessions",
                Map.of(
                        "consumer_id",
                        "e2e-crash-" + round + "-"
                                + UUID.randomUUID().toString().substring(0, 6),
                        "offer_id",
                        offer.path("id").asText(),
                        "workload_type",
                        "batch",
                        "reservation_hours",
                        1));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().path("session").path("id").asText();
    }

    /** Waits until the session runs or ends; ends a running one; returns it once stopped or failed. */
    static JsonNode end(String id) {
        await().atMost(Duration.ofMinutes(6))
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptionsInstanceOf(IllegalStateException.class)
                .until(() -> {
                    String st = call("GET", url("session-service") + "/sessions/" + id, null)
                            .body()
                            .path("status")
                            .asText();
                    return st.equals("running") || st.equals("stopping") || st.equals("stopped") || st.equals("failed");
                });
        try {
            call("POST", url("session-service") + "/sessions/" + id + "/done", null);
        } catch (IllegalStateException lateAnswer) {
            // its reservation (1 h: one real minute at 60x) ends it all the same
        }
        return BillingBound.awaitEnded(id);
    }
}
