package io.gpubroker.session;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.gpubroker.testkit.BrokerTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input gets a clear 4xx naming the field, in the {error, request_id} shape; never a 500. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class SessionResourceTests {

    static final String VALID = """
            {"consumer_id":"team-a","offer_id":"vastai-1","workload_type":"llm","reservation_hours":2}""";

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"offer_id\":\"vastai-1\",\"workload_type\":\"llm\",\"reservation_hours\":2}|consumer_id is required",
                "{\"consumer_id\":\"a\",\"workload_type\":\"llm\",\"reservation_hours\":2}|offer_id is required",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"mining\",\"reservation_hours\":2}|workload_type must be one of",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\"}|reservation_hours is required",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":13}|reservation_hours must be between 1 and 12",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":0}|reservation_hours must be between 1 and 12",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":\"two\"}|reservation_hours",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"storage_policy\":\"keep\"}|storage_policy",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"storage_policy\":\"preserve\"}|storage_policy 'preserve' is not supported yet",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"launch_mode\":\"entrypoint\"}|docker_image is required",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"exposed_ports\":[0]}|exposed_ports",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"launch_mode\":\"entrypoint\",\"docker_image\":\"vllm; rm -rf /\"}|docker_image must be an image reference",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"model_id\":\"$(id)\"}|model_id must be a model name",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"quantization\":\"AWQ 4bit\"}|quantization must be",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"disk_gb\":-5}|disk_gb",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"workload_type\":\"llm\",\"reservation_hours\":2,\"bogus\":1}|unknown field 'bogus'",
                "{\"consumer_id\":\"a\",\"offer_id\":\"o\",\"requirements\":{\"gpu_type\":\"A100\"},\"workload_type\":\"llm\",\"reservation_hours\":2}|either offer_id or requirements",
                "{\"consumer_id\":\"a\",\"requirements\":{\"providers\":[\"nimbus\"]},\"workload_type\":\"llm\",\"reservation_hours\":2}|requirements.providers: unknown provider 'nimbus'",
                "{\"consumer_id\":\"a\",\"requirements\":{\"min_reliability\":1.5},\"workload_type\":\"llm\",\"reservation_hours\":2}|requirements.min_reliability must be between 0 and 1",
                "{\"consumer_id\":\"a\",\"requirements\":{\"max_price\":0},\"workload_type\":\"llm\",\"reservation_hours\":2}|requirements.max_price",
                "{\"consumer_id\":\"a\",\"requirements\":{\"gpu_types\":[]},\"workload_type\":\"llm\",\"reservation_hours\":2}|requirements.gpu_types must list",
                "{\"consumer_id\":\"a\",\"requirements\":{\"provider\":\"vastai\",\"exclude_providers\":[\"vastai\"]},\"workload_type\":\"llm\",\"reservation_hours\":2}|every provider asked for is also excluded",
                "{\"consumer_id\":\"a\",\"requirements\":{\"gpu\":\"A100\"},\"workload_type\":\"llm\",\"reservation_hours\":2}|unknown field 'gpu'",
                "{not json|malformed JSON"
            })
    void invalidCreateBodiesAreRejectedNamingTheField(String body, String message) {
        given().contentType("application/json")
                .body(body)
                .header("X-Request-ID", "req-123")
                .when()
                .post("/sessions")
                .then()
                .statusCode(400)
                .body("error", containsString(message))
                .body("request_id", equalTo("req-123"));
    }

    @Test
    void aRequirementsCreateWithInventoryDownIs503NotA500() {
        given().contentType("application/json")
                .body("""
                        {"consumer_id":"team-r","requirements":{"gpu_types":["A100","H100"],"providers":["vastai","rackrr"],
                         "locations":["US","EU"],"max_price":3.5,"allow_interruptible":false},
                         "workload_type":"batch","reservation_hours":1}""")
                .when()
                .post("/sessions")
                .then()
                .statusCode(503)
                .body("error", containsString("inventory unavailable"));
    }

    @Test
    void anUnknownSessionIs404() {
        given().when()
                .get("/sessions/sess-nope")
                .then()
                .statusCode(404)
                .body("error", containsString("not found"))
                .body("request_id", notNullValue());
        given().when().post("/sessions/sess-nope/done").then().statusCode(404);
        given().when().delete("/sessions/sess-nope").then().statusCode(404);
        given().contentType("application/json")
                .body("{\"additional_hours\":1}")
                .when()
                .post("/sessions/sess-nope/extend")
                .then()
                .statusCode(404);
    }

    @Test
    void listingValidatesItsParameters() {
        given().when().get("/sessions?status=sleeping").then().statusCode(400).body("error", containsString("status"));
        given().when().get("/sessions?limit=0").then().statusCode(400).body("error", containsString("limit"));
        given().when().get("/sessions?limit=abc").then().statusCode(400).body("error", containsString("limit"));
        given().when().get("/sessions?limit=-3").then().statusCode(400).body("error", containsString("limit"));
        // more than a page is one page, not an error: the public API asks only for a positive limit
        given().when().get("/sessions?limit=100000").then().statusCode(200);
        given().when()
                .get("/sessions?consumer_id=nobody")
                .then()
                .statusCode(200)
                .body("count", equalTo(0));
    }

    @Test
    void extendValidatesHours() {
        given().contentType("application/json")
                .body("{}")
                .when()
                .post("/sessions/sess-nope/extend")
                .then()
                .statusCode(400)
                .body("error", containsString("additional_hours"));
        given().contentType("application/json")
                .body("{\"additional_hours\":0}")
                .when()
                .post("/sessions/sess-nope/extend")
                .then()
                .statusCode(400);
    }

    @Test
    void heartbeatWithoutATokenIs401() {
        given().contentType("application/json")
                .body("{\"gpu_util_pct\":5}")
                .when()
                .post("/sessions/sess-nope/heartbeat")
                .then()
                .statusCode(401)
                .body("error", containsString("agent_token"));
    }

    @Test
    void anOfferTheCatalogCannotConfirmIsNotProvisioned() {
        // inventory-service is not running in this module's tests: the broker must refuse, not guess
        given().contentType("application/json")
                .body(VALID)
                .when()
                .post("/sessions")
                .then()
                .statusCode(503)
                .body("error", containsString("inventory unavailable"));
    }
}
