package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every failure is {"error","request_id"} with the right status, and the request id travels end to end. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class ErrorShapeTests {

    static void assertErrorShape(Response r, int status) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.<String>path("error")).isNotBlank();
        assertThat(r.<String>path("request_id")).isNotBlank().isEqualTo(r.header("X-Request-ID"));
        assertThat(r.asString()).doesNotContain("at io.").doesNotContain("Exception");
    }

    @Test
    void anUnknownRouteIsA404InTheErrorShape() {
        assertErrorShape(Api.admin().get("/api/v1/nope"), 404);
        assertErrorShape(Api.as(null).get("/no/such/thing"), 404);
        assertErrorShape(Api.admin().contentType(ContentType.JSON).body("{}").patch("/api/v1/sessions"), 405);
    }

    @Test
    void aBodyOverOneMegabyteIsRefusedWith413() {
        String big = "{\"offer_id\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
        Response r = Api.admin().contentType(ContentType.JSON).body(big).post("/api/v1/sessions");
        assertErrorShape(r, 413);
    }

    @Test
    void malformedJsonIs400AndAWrongContentTypeIs415() {
        Api.Team a = Api.newTeam("bodies");
        assertErrorShape(
                a.spec().contentType(ContentType.JSON).body("{\"offer_id\": ").post("/api/v1/sessions"), 400);
        assertErrorShape(a.spec().contentType(ContentType.JSON).body("[1,2]").post("/api/v1/sessions"), 400);
        assertErrorShape(
                a.spec().contentType(ContentType.TEXT).body("offer_id=1").post("/api/v1/sessions"), 415);
        assertErrorShape(
                Api.admin().contentType(ContentType.TEXT).body("name=x").post("/api/v1/consumers"), 415);
        assertErrorShape(
                Api.admin().contentType(ContentType.JSON).body("{\"name\": ").post("/api/v1/consumers"), 400);
        assertThat(FakeServices.get().received(x -> x.body().contains("offer_id=1")))
                .as("never forwarded")
                .isEmpty();
    }

    @Test
    void aSaneRequestIdIsEchoedAndPassedOnAndAnInsaneOneIsReplaced() {
        String rid = "trace-" + UUID.randomUUID();
        Response r = Api.admin().header("X-Request-ID", rid).get("/api/v1/offer-health");
        assertThat(r.header("X-Request-ID")).isEqualTo(rid);
        assertThat(FakeServices.get().last("inventory", "GET", "/offer-health").header("X-Request-ID"))
                .isEqualTo(rid);

        Response bad =
                Api.admin().header("X-Request-ID", "<script>alert(1)</script>").get("/api/v1/offer-health");
        String replaced = bad.header("X-Request-ID");
        assertThat(replaced).isNotBlank().doesNotContain("<");
        assertThat(FakeServices.get().last("inventory", "GET", "/offer-health").header("X-Request-ID"))
                .isEqualTo(replaced);

        Response none = Api.admin().get("/api/v1/inventory/missing");
        assertErrorShape(none, 404);
        assertThat(UUID.fromString(none.header("X-Request-ID"))).isNotNull();
    }

    @Test
    void staleInventoryKeepsTheRicherBodyFromSessionService() {
        Response r = Api.send(
                Api.admin().header("X-Request-ID", "stale-1"),
                "POST",
                "/api/v1/sessions",
                "{\"consumer_id\":\"stale-team\",\"offer_id\":\"stale-offer\",\"workload_type\":\"llm\",\"reservation_hours\":1}");
        assertErrorShape(r, 503);
        assertThat(r.<String>path("error_type")).isEqualTo("stale_inventory");
        assertThat(r.<String>path("offer_id")).isEqualTo("stale-offer");
        assertThat(r.<Boolean>path("retry_suggested")).isTrue();
        assertThat(r.<String>path("request_id")).isEqualTo("stale-1");
    }

    @Test
    void aServiceThatIsDownIs503AndOneTooSlowIs504() {
        FakeServices f = FakeServices.get();
        f.billing.stop();
        try {
            Response down = Api.admin().get("/api/v1/costs/summary");
            assertErrorShape(down, 503);
            assertThat(down.<String>path("error")).contains("billing-service");
        } finally {
            f.billing.restart();
        }
        f.inventory.delayMs = 1500;
        try {
            Response slow = Api.admin().get("/api/v1/templates");
            assertErrorShape(slow, 504);
            assertThat(slow.<String>path("error")).contains("inventory-service");
        } finally {
            f.inventory.delayMs = 0;
        }
        assertThat(Api.admin().get("/api/v1/templates").statusCode()).isEqualTo(200);
    }

    @Test
    void aServiceErrorThatIsNotJsonBecomesTheErrorShape() {
        FakeServices f = FakeServices.get();
        f.inventory.plainError = 500;
        try {
            Response r = Api.admin().get("/api/v1/offer-health");
            assertErrorShape(r, 500);
            assertThat(r.asString()).doesNotContain("<html>");
        } finally {
            f.inventory.plainError = null;
        }
    }

    @Test
    void theMetricsEndpointIsPrometheusText() {
        Response m = RestAssured.get("/metrics");
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.contentType()).startsWith("text/plain");
        assertThat(m.asString()).contains("http_server_requests_seconds");
    }
}
