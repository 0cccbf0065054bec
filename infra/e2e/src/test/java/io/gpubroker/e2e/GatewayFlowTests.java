package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The newcomer's path through the front door only: the admin creates two consumers; consumer A
 * finds an offer, opens a session, logs in over SSH with the returned key, ends it and sees its
 * cost; consumer B cannot see any of it.
 */
class GatewayFlowTests {

    static String gw() {
        return url("api-gateway");
    }

    static String consumer(String admin, String id) {
        E2EStack.Reply r =
                call("POST", gw() + "/api/v1/consumers", Map.of("consumer_id", id), "Authorization", "Bearer " + admin);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().path("api_key").asText();
    }

    @Test
    void aConsumerRunsTheWholeFlowThroughTheGatewayAndAnotherConsumerSeesNothingOfIt() throws Exception {
        String admin = E2EStack.get().adminKeyValue();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String keyA = consumer(admin, "team-a-" + suffix);
        String keyB = consumer(admin, "team-b-" + suffix);
        String[] authA = {"Authorization", "Bearer " + keyA};
        String[] authB = {"Authorization", "Bearer " + keyB};

        assertThat(call("GET", gw() + "/api/v1/inventory?limit=1", null).status())
                .isEqualTo(401);

        AtomicReference<JsonNode> offer = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    E2EStack.Reply r = call("GET", gw() + "/api/v1/inventory?provider=rackrr&limit=10", null, authA);
                    for (JsonNode o : r.body().path("offers")) {
                        if (o.path("available").asBoolean() && !o.path("stale").asBoolean(false)) {
                            offer.set(o);
                            return true;
                        }
                    }
                    return false;
                });

        E2EStack.Reply created = call(
                "POST",
                gw() + "/api/v1/sessions",
                Map.of("offer_id", offer.get().path("id").asText(), "workload_type", "batch", "reservation_hours", 1),
                authA);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String id = created.body().path("session").path("id").asText();
        assertThat(created.body().path("session").path("consumer_id").asText()).isEqualTo("team-a-" + suffix);

        AtomicReference<JsonNode> running = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    JsonNode s = call("GET", gw() + "/api/v1/sessions/" + id, null, authA)
                            .body();
                    running.set(s);
                    assertThat(s.path("status").asText()).isNotIn("failed", "stopped");
                    return s.path("status").asText().equals("running");
                });
        String out = E2EStack.ssh(
                running.get().path("ssh_host").asText(),
                running.get().path("ssh_port").asInt(),
                running.get().path("ssh_user").asText(),
                created.body().path("ssh_private_key").asText(),
                "echo hello");
        assertThat(out.trim()).isEqualTo("hello");

        assertThat(call("GET", gw() + "/api/v1/sessions/" + id, null, authB).status())
                .isEqualTo(404);
        assertThat(call("POST", gw() + "/api/v1/sessions/" + id + "/done", null, authB)
                        .status())
                .isEqualTo(404);
        JsonNode listB = call("GET", gw() + "/api/v1/sessions", null, authB).body();
        assertThat(listB.path("sessions").toString()).doesNotContain(id);
        assertThat(call("GET", gw() + "/api/v1/sessions?consumer_id=team-a-" + suffix, null, authB)
                        .status())
                .isEqualTo(403);

        assertThat(call("POST", gw() + "/api/v1/sessions/" + id + "/done", null, authA)
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> call("GET", gw() + "/api/v1/sessions/" + id, null, authA)
                        .body()
                        .path("status")
                        .asText()
                        .equals("stopped"));

        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    E2EStack.Reply cost = call("GET", gw() + "/api/v1/costs?session_id=" + id, null, authA);
                    assertThat(cost.status()).as(cost.body().toString()).isEqualTo(200);
                    assertThat(cost.body().path("total_cost").decimalValue()).isPositive();
                });
        assertThat(call("GET", gw() + "/api/v1/costs?session_id=" + id, null, authB)
                        .status())
                .isEqualTo(404);
        assertThat(E2EStack.HTTP_GET(gw() + "/openapi")).contains("/api/v1/sessions");
    }
}
