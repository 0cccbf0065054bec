package io.gpubroker.provider;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import io.gpubroker.provider.support.GatewayTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** The small REST surface other services use. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class RestTests {

    @Test
    void templatesAreVastsRecommendedOnesInTheBrokerApiShape() {
        given().get("/templates")
                .then()
                .statusCode(200)
                .body("count", is(4))
                .body("templates.hash_id", hasItem("a8a44c7363cbca20056020397e3bf072"))
                .body("templates.find { it.name == 'Ollama' }.recommended_disk_space", is(32))
                .body("templates.find { it.name == 'Ollama' }.created_at", notNullValue());
        given().queryParam("name", "olla")
                .get("/templates")
                .then()
                .statusCode(200)
                .body("count", is(1));
        given().get("/templates/a8a44c7363cbca20056020397e3bf072")
                .then()
                .statusCode(200)
                .body("name", is("Ollama"));
    }

    @Test
    void badOrUnknownTemplateIdsAnswerTheErrorShape() {
        given().get("/templates/not-a-hash!")
                .then()
                .statusCode(400)
                .body("error", notNullValue())
                .body("request_id", notNullValue());
        given().get("/templates/ffffffffffffffffffffffffffffffff")
                .then()
                .statusCode(404)
                .body("error", is("template not found"));
    }

    @Test
    void providersListsTheEnabledProvidersWithCircuitState() {
        given().get("/providers")
                .then()
                .statusCode(200)
                .body("providers.provider", hasItem("trooper"))
                .body("providers.enabled", everyItem(is(true)))
                .body("providers.circuit_state", everyItem(notNullValue()))
                .body("providers.command_lag_seconds", everyItem(notNullValue()));
    }
}
