package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpubroker.gateway.FakeServices.Received;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every public path reaches the owning service's internal path with method, query, body and headers intact. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class RoutingTests {

    record Route(String method, String publicPath, String service, String upstreamPath, String query, String body) {}

    @Test
    void everyPublicPathIsForwardedToItsServiceWithMethodQueryBodyAndHeaders() {
        FakeServices fakes = FakeServices.get();
        String s = fakes.seedSession("routing-team", "running");
        List<Route> routes = List.of(
                new Route(
                        "GET",
                        "/api/v1/inventory",
                        "inventory",
                        "/inventory",
                        "provider=vastai&min_vram=24&gpu_type=RTX%204090",
                        null),
                new Route("GET", "/api/v1/inventory/vastai-7", "inventory", "/inventory/vastai-7", null, null),
                new Route(
                        "GET",
                        "/api/v1/inventory/vastai-7/compatible-templates",
                        "inventory",
                        "/inventory/vastai-7/compatible-templates",
                        null,
                        null),
                new Route("GET", "/api/v1/templates", "inventory", "/templates", "name=oll", null),
                new Route("GET", "/api/v1/templates/a8a44c73", "inventory", "/templates/a8a44c73", null, null),
                new Route("GET", "/api/v1/offer-health", "inventory", "/offer-health", null, null),
                new Route(
                        "POST",
                        "/api/v1/sessions",
                        "session",
                        "/sessions",
                        null,
                        "{\"consumer_id\":\"routing-team\",\"offer_id\":\"vastai-1\",\"workload_type\":\"llm\",\"reservation_hours\":2}"),
                new Route("GET", "/api/v1/sessions", "session", "/sessions", "status=running&limit=10", null),
                new Route("GET", "/api/v1/sessions/" + s, "session", "/sessions/" + s, null, null),
                new Route("POST", "/api/v1/sessions/" + s + "/done", "session", "/sessions/" + s + "/done", null, null),
                new Route(
                        "POST",
                        "/api/v1/sessions/" + s + "/extend",
                        "session",
                        "/sessions/" + s + "/extend",
                        null,
                        "{\"additional_hours\":2}"),
                new Route("DELETE", "/api/v1/sessions/" + s, "session", "/sessions/" + s, null, null),
                new Route(
                        "GET",
                        "/api/v1/sessions/" + s + "/diagnostics",
                        "session",
                        "/sessions/" + s + "/diagnostics",
                        null,
                        null),
                new Route(
                        "POST",
                        "/api/v1/sessions/" + s + "/heartbeat",
                        "session",
                        "/sessions/" + s + "/heartbeat",
                        null,
                        "{\"agent_token\":\"tok\"}"),
                new Route("GET", "/api/v1/costs", "billing", "/costs", "consumer_id=routing-team&period=daily", null),
                new Route(
                        "GET", "/api/v1/costs/summary", "billing", "/costs/summary", "consumer_id=routing-team", null),
                new Route(
                        "GET",
                        "/api/v1/costs/export",
                        "billing",
                        "/costs/export",
                        "format=csv&consumer_id=routing-team&start_date=2026-09-01",
                        null),
                new Route("GET", "/api/v1/costs/drift", "billing", "/costs/drift", null, null),
                new Route(
                        "GET",
                        "/api/v1/consumers/routing-team/budget",
                        "billing",
                        "/budgets/routing-team",
                        null,
                        null));
        int n = 0;
        for (Route r : routes) {
            String rid = "route-" + (n++);
            var spec = Api.admin()
                    .urlEncodingEnabled(false)
                    .header("X-Request-ID", rid)
                    .header("Idempotency-Key", "idem-" + rid);
            Response res =
                    Api.send(spec, r.method(), r.publicPath() + (r.query() == null ? "" : "?" + r.query()), r.body());
            assertThat(res.statusCode())
                    .as(r.method() + " " + r.publicPath() + ": " + res.asString())
                    .isBetween(200, 299);
            assertThat(res.header("X-Request-ID")).isEqualTo(rid);
            Received got = fakes.last(r.service(), r.method(), r.upstreamPath());
            assertThat(got.header("X-Request-ID")).as(r.publicPath()).isEqualTo(rid);
            assertThat(got.header("Idempotency-Key")).as(r.publicPath()).isEqualTo("idem-" + rid);
            assertThat(got.header("Authorization"))
                    .as("keys never travel to the services")
                    .isNull();
            assertThat(got.header(TestStack.INTERNAL_HEADER))
                    .as("the internal token does")
                    .isEqualTo(TestStack.INTERNAL_TOKEN);
            if (r.query() != null) {
                assertThat(got.query()).as(r.publicPath()).isEqualTo(r.query());
            }
            if (r.body() != null) {
                assertThat(new JsonObject(got.body())).isEqualTo(new JsonObject(r.body()));
                assertThat(got.header("Content-Type")).startsWith("application/json");
            }
        }
    }

    @Test
    void aServiceAnswerIsPassedOnWithItsStatusAndBody() {
        Response res = Api.admin().get("/api/v1/inventory/vastai-42");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.<String>path("id")).isEqualTo("vastai-42");
        assertThat(res.contentType()).startsWith("application/json");
    }

    @Test
    void budgetsAreSetOnBillingUnderTheConsumersId() {
        Api.Team t = Api.newTeam("budget");
        Response res =
                Api.send(Api.admin(), "PUT", "/api/v1/consumers/" + t.id() + "/budget", "{\"monthly_limit\":250.50}");
        assertThat(res.statusCode()).isEqualTo(200);
        Received got = FakeServices.get().last("billing", "PUT", "/budgets/" + t.id());
        assertThat(got.body()).as("money is passed on exactly as sent").contains("250.50");
        assertThat(Api.send(
                                Api.admin(),
                                "PUT",
                                "/api/v1/consumers/nobody-" + t.id() + "/budget",
                                "{\"monthly_limit\":1}")
                        .statusCode())
                .as("a budget for an unknown consumer")
                .isEqualTo(404);
    }
}
