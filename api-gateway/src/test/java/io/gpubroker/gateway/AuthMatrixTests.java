package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The auth matrix: every route as nobody, as consumer A on A's data, as consumer B on A's data,
 * and as admin; plus what a consumer key is allowed to see.
 */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class AuthMatrixTests {

    /** One route and the status each caller gets. */
    record Case(String method, String path, String body, int none, int a, int b, int admin) {}

    @Test
    void everyRouteAnswersEachKindOfCallerAsDesigned() {
        Api.Team a = Api.newTeam("alpha");
        Api.Team b = Api.newTeam("beta");
        FakeServices fakes = FakeServices.get();
        String sa = fakes.seedSession(a.id(), "running");
        String create =
                "{\"offer_id\":\"vastai-1\",\"workload_type\":\"llm\",\"reservation_hours\":1,\"consumer_id\":\""
                        + a.id() + "\"}";
        List<Case> cases = List.of(
                new Case("GET", "/api/v1/inventory", null, 401, 200, 200, 200),
                new Case("GET", "/api/v1/inventory/vastai-1", null, 401, 200, 200, 200),
                new Case("GET", "/api/v1/inventory/vastai-1/compatible-templates", null, 401, 200, 200, 200),
                new Case("GET", "/api/v1/templates", null, 401, 200, 200, 200),
                new Case("GET", "/api/v1/templates/h1", null, 401, 200, 200, 200),
                new Case("GET", "/api/v1/offer-health", null, 401, 200, 200, 200),
                new Case("POST", "/api/v1/sessions", create, 401, 201, 403, 201),
                new Case("GET", "/api/v1/sessions?consumer_id=" + a.id(), null, 401, 200, 403, 200),
                new Case("GET", "/api/v1/sessions/" + sa, null, 401, 200, 404, 200),
                new Case("POST", "/api/v1/sessions/" + sa + "/extend", "{\"additional_hours\":1}", 401, 200, 404, 200),
                new Case("GET", "/api/v1/sessions/" + sa + "/diagnostics", null, 401, 200, 404, 200),
                new Case("POST", "/api/v1/sessions/" + sa + "/done", null, 401, 200, 404, 200),
                new Case("DELETE", "/api/v1/sessions/" + sa, null, 401, 200, 404, 200),
                new Case(
                        "POST", "/api/v1/sessions/" + sa + "/heartbeat", "{\"agent_token\":\"t\"}", 200, 200, 200, 200),
                new Case("GET", "/api/v1/costs?consumer_id=" + a.id(), null, 401, 200, 403, 200),
                new Case("GET", "/api/v1/costs?session_id=" + sa, null, 401, 200, 404, 200),
                new Case("GET", "/api/v1/costs/summary?consumer_id=" + a.id(), null, 401, 200, 403, 200),
                new Case("GET", "/api/v1/costs/export?format=csv&consumer_id=" + a.id(), null, 401, 200, 403, 200),
                new Case("GET", "/api/v1/costs/drift", null, 401, 403, 403, 200),
                new Case("GET", "/api/v1/consumers", null, 401, 403, 403, 200),
                new Case("GET", "/api/v1/consumers/" + a.id(), null, 401, 200, 403, 200),
                new Case("POST", "/api/v1/consumers", "{\"name\":\"x\"}", 401, 403, 403, -1),
                new Case("POST", "/api/v1/consumers/" + a.id() + "/keys", null, 401, 403, 403, 201),
                new Case("DELETE", "/api/v1/consumers/" + a.id() + "/keys/0000000000000000", null, 401, 403, 403, 404),
                new Case(
                        "PUT", "/api/v1/consumers/" + a.id() + "/budget", "{\"monthly_limit\":10}", 401, 403, 403, 200),
                new Case("GET", "/api/v1/consumers/" + a.id() + "/budget", null, 401, 200, 403, 200),
                new Case("PUT", "/api/v1/consumers/" + a.id() + "/policy", "{\"max_gpus\":4}", 401, 403, 403, 200),
                new Case("GET", "/api/v1/consumers/" + a.id() + "/policy", null, 401, 200, 403, 200),
                new Case("DELETE", "/api/v1/consumers/" + a.id() + "/policy", null, 401, 403, 403, 200),
                new Case("GET", "/health", null, 200, 200, 200, 200),
                new Case("GET", "/openapi", null, 200, 200, 200, 200));
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            check(wrong, c, "none", Api.as(null), c.none());
            check(wrong, c, "A", a.spec(), c.a());
            check(wrong, c, "B", b.spec(), c.b());
            if (c.admin() > 0) {
                check(wrong, c, "admin", Api.admin(), c.admin());
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static void check(
            List<String> wrong,
            Case c,
            String who,
            io.restassured.specification.RequestSpecification spec,
            int expected) {
        Response r = Api.send(spec, c.method(), c.path(), c.body());
        if (r.statusCode() != expected) {
            wrong.add(who + " " + c.method() + " " + c.path() + " -> " + r.statusCode() + " (expected " + expected
                    + ") " + r.asString());
        } else if (expected >= 400) {
            JsonObject body = new JsonObject(r.asString());
            if (body.getString("error") == null || body.getString("request_id") == null) {
                wrong.add(who + " " + c.method() + " " + c.path() + " error without the error shape: " + r.asString());
            }
        }
    }

    @Test
    void aConsumerKeyFillsInItsOwnConsumerIdWhenCreatingASession() {
        Api.Team a = Api.newTeam("fill");
        Response r = Api.send(
                a.spec(),
                "POST",
                "/api/v1/sessions",
                "{\"offer_id\":\"vastai-1\",\"workload_type\":\"llm\",\"reservation_hours\":1}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.<String>path("session.consumer_id")).isEqualTo(a.id());
        assertThat(new JsonObject(FakeServices.get()
                                .last("session", "POST", "/sessions")
                                .body())
                        .getString("consumer_id"))
                .isEqualTo(a.id());
    }

    @Test
    void aConsumerListsOnlyItsOwnSessionsAndCosts() {
        Api.Team a = Api.newTeam("lista");
        Api.Team b = Api.newTeam("listb");
        FakeServices f = FakeServices.get();
        String mine = f.seedSession(a.id(), "running");
        f.seedSession(b.id(), "running");
        Response r = a.spec().get("/api/v1/sessions");
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> owners = r.path("sessions.consumer_id");
        assertThat(owners).isNotEmpty().containsOnly(a.id());
        assertThat(r.<List<String>>path("sessions.id")).contains(mine);
        assertThat(r.<Integer>path("count")).isEqualTo(owners.size());
        assertThat(f.last("session", "GET", "/sessions").query()).contains("consumer_id=" + a.id());

        Response costs = a.spec().get("/api/v1/costs");
        assertThat(costs.<String>path("consumer_id"))
                .as("billing was asked for A's costs only")
                .isEqualTo(a.id());
        Response summary = a.spec().get("/api/v1/costs/summary");
        assertThat(summary.<String>path("consumer_id")).isEqualTo(a.id());

        Response export = a.spec().get("/api/v1/costs/export?format=csv");
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.contentType()).startsWith("text/csv");
        assertThat(export.header("Content-Disposition")).contains("attachment");
        assertThat(f.last("billing", "GET", "/costs/export").query())
                .as("billing was asked for A's export only")
                .contains("consumer_id=" + a.id());
        assertThat(export.asString()).contains("total," + a.id());
    }

    @Test
    void anotherConsumersSessionIsNeverActedOn() {
        Api.Team a = Api.newTeam("owner");
        Api.Team b = Api.newTeam("intruder");
        FakeServices f = FakeServices.get();
        String sa = f.seedSession(a.id(), "running");
        int before =
                f.received(x -> x.path().startsWith("/sessions/" + sa + "/")).size();
        assertThat(b.spec().post("/api/v1/sessions/" + sa + "/done").statusCode())
                .isEqualTo(404);
        assertThat(b.spec().delete("/api/v1/sessions/" + sa).statusCode()).isEqualTo(404);
        assertThat(f.received(x -> x.path().startsWith("/sessions/" + sa + "/")).size())
                .as("nothing forwarded")
                .isEqualTo(before);
        assertThat(f.received(x -> x.method().equals("DELETE") && x.path().equals("/sessions/" + sa)))
                .isEmpty();
        assertThat(b.spec().get("/api/v1/sessions/" + sa).<String>path("error"))
                .isEqualTo("session " + sa + " not found");
    }

    @Test
    void aMissingOrBadKeyIsRefusedWith401() {
        assertThat(Api.as(null).get("/api/v1/inventory").header("WWW-Authenticate"))
                .startsWith("Bearer");
        assertThat(Api.as("gbk_0123456789abcdef_" + "A".repeat(43))
                        .get("/api/v1/inventory")
                        .statusCode())
                .isEqualTo(401);
        assertThat(Api.as("not-a-key").get("/api/v1/inventory").statusCode()).isEqualTo(401);
        assertThat(io.restassured.RestAssured.given()
                        .header("Authorization", "Basic dXNlcjpwYXNz")
                        .get("/api/v1/inventory")
                        .statusCode())
                .isEqualTo(401);
        Api.Team a = Api.newTeam("tamper");
        String tampered = a.key().substring(0, a.key().length() - 1) + (a.key().endsWith("A") ? "B" : "A");
        assertThat(Api.as(tampered).get("/api/v1/inventory").statusCode())
                .as("right key id, wrong secret")
                .isEqualTo(401);
    }
}
