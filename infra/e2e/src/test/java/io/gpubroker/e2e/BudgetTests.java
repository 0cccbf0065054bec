package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Budgets stop spend: a consumer over budget cannot start sessions and its running ones are terminated. */
class BudgetTests {

    @Test
    void aConsumerOverBudgetIsRefusedAndItsRunningSessionIsTerminated() {
        String admin = E2EStack.get().adminKeyValue();
        String id = "team-budget-" + UUID.randomUUID().toString().substring(0, 6);
        String gw = url("api-gateway");
        String key = GatewayFlowTests.consumer(admin, id);
        String[] auth = {"Authorization", "Bearer " + key};
        String[] adminAuth = {"Authorization", "Bearer " + admin};
        assertThat(call(
                                "PUT",
                                gw + "/api/v1/consumers/" + id + "/budget",
                                Map.of("monthly_limit", 100, "currency", "USD"),
                                adminAuth)
                        .status())
                .isEqualTo(200);

        JsonNode offer = SessionLifecycleTests.firstOffer("barrack");
        E2EStack.Reply created = call(
                "POST",
                gw + "/api/v1/sessions",
                Map.of("offer_id", offer.path("id").asText(), "workload_type", "batch", "reservation_hours", 1),
                auth);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String session = created.body().path("session").path("id").asText();
        SessionLifecycleTests.awaitStatus(session, "running");

        // the admin lowers the budget below what is already being spent
        assertThat(call(
                                "PUT",
                                gw + "/api/v1/consumers/" + id + "/budget",
                                Map.of("monthly_limit", 0.01, "currency", "USD"),
                                adminAuth)
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    JsonNode s = call("GET", url("session-service") + "/sessions/" + session, null)
                            .body();
                    return s.path("status").asText().equals("stopped");
                });
        JsonNode stopped = call("GET", url("session-service") + "/sessions/" + session, null)
                .body();
        assertThat(stopped.path("stop_reason").asText()).isEqualTo("budget_exceeded");
        SessionFaultsTests.nothingLeaked("barrack", session);

        // a fresh offer (on a 60x clock the catalog ages fast), so only the budget can refuse it
        JsonNode fresh = SessionLifecycleTests.firstOffer("rackrr");
        E2EStack.Reply refused = call(
                "POST",
                gw + "/api/v1/sessions",
                Map.of("offer_id", fresh.path("id").asText(), "workload_type", "batch", "reservation_hours", 1),
                auth);
        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(402);
        assertThat(refused.body().path("error").asText()).contains("budget");
    }
}
