package io.gpubroker.gateway;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Test helpers: requests as admin / a consumer / nobody, and fresh consumers. */
final class Api {
    private Api() {}

    /** A consumer created through the API, with its first key. */
    record Team(String id, String key, String keyId) {
        RequestSpecification spec() {
            return as(key);
        }
    }

    static RequestSpecification admin() {
        return as(GatewayTestProfile.ADMIN);
    }

    static RequestSpecification as(String key) {
        return key == null ? given() : given().header("Authorization", "Bearer " + key);
    }

    static Team newTeam(String prefix) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Response r = admin().contentType(ContentType.JSON)
                .body(Map.of("consumer_id", id, "name", "Team " + prefix))
                .post("/api/v1/consumers");
        if (r.statusCode() != 201) {
            throw new AssertionError("cannot create consumer: " + r.statusCode() + " " + r.asString());
        }
        return new Team(id, r.path("api_key"), r.path("key_id"));
    }

    static Response send(RequestSpecification spec, String method, String path, String body) {
        if (body != null) {
            spec = spec.contentType(ContentType.JSON).body(body);
        }
        return spec.request(method, path);
    }
}
