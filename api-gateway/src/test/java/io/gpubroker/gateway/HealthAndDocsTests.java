package io.gpubroker.gateway;

import static io.restassured.RestAssured.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /health, /ready, and the API documents served by the gateway. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class HealthAndDocsTests {

    @Test
    void healthIs200WhenEveryServiceIsReadyAnd503DuringTheSessionServiceStartupSweep() {
        Response ok = get("/health");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.<String>path("status")).isEqualTo("ok");
        assertThat(ok.<String>path("services.lifecycle")).isEqualTo("running");
        assertThat(ok.<String>path("services.ready")).isEqualTo("true");
        assertThat(ok.<String>path("timestamp")).isNotBlank();
        assertThat(get("/ready").<Boolean>path("ready")).isTrue();

        FakeServices f = FakeServices.get();
        f.session.ready = false;
        try {
            Response sweeping = get("/health");
            assertThat(sweeping.statusCode()).isEqualTo(503);
            assertThat(sweeping.<String>path("status")).isEqualTo("unavailable");
            assertThat(sweeping.<String>path("services.lifecycle")).isEqualTo("stopped");
            assertThat(sweeping.<String>path("services.inventory")).isEqualTo("ok");
            assertThat(sweeping.<String>path("services.ready")).isEqualTo("false");
            Response ready = get("/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.<Boolean>path("ready")).isFalse();
        } finally {
            f.session.ready = true;
        }
        f.billing.stop();
        try {
            assertThat(get("/health").<String>path("services.billing")).isEqualTo("unavailable");
        } finally {
            f.billing.restart();
        }
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void theOpenApiDocumentDescribesEveryPublicPathOfTheArchitecture() {
        Response yaml = get("/openapi");
        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.asString()).startsWith("openapi: 3");
        Map<String, Map<String, Object>> paths = get("/openapi?format=json").path("paths");
        Map<String, List<String>> expected = Map.ofEntries(
                Map.entry("/health", List.of("get")),
                Map.entry("/ready", List.of("get")),
                Map.entry("/metrics", List.of("get")),
                Map.entry("/api/v1/inventory", List.of("get")),
                Map.entry("/api/v1/inventory/{id}", List.of("get")),
                Map.entry("/api/v1/inventory/{id}/compatible-templates", List.of("get")),
                Map.entry("/api/v1/templates", List.of("get")),
                Map.entry("/api/v1/templates/{hash_id}", List.of("get")),
                Map.entry("/api/v1/sessions", List.of("get", "post")),
                Map.entry("/api/v1/sessions/{id}", List.of("get", "delete")),
                Map.entry("/api/v1/sessions/{id}/done", List.of("post")),
                Map.entry("/api/v1/sessions/{id}/extend", List.of("post")),
                Map.entry("/api/v1/sessions/{id}/diagnostics", List.of("get")),
                Map.entry("/api/v1/sessions/{id}/heartbeat", List.of("post")),
                Map.entry("/api/v1/costs", List.of("get")),
                Map.entry("/api/v1/costs/summary", List.of("get")),
                Map.entry("/api/v1/costs/export", List.of("get")),
                Map.entry("/api/v1/costs/drift", List.of("get")),
                Map.entry("/api/v1/offer-health", List.of("get")),
                Map.entry("/api/v1/consumers", List.of("get", "post")),
                Map.entry("/api/v1/consumers/{consumer_id}/keys", List.of("post")),
                Map.entry("/api/v1/consumers/{consumer_id}/keys/{key_id}", List.of("delete")),
                Map.entry("/api/v1/consumers/{consumer_id}/budget", List.of("get", "put")));
        expected.forEach((path, methods) -> {
            assertThat(paths).as(path).containsKey(path);
            assertThat(paths.get(path).keySet()).as(path).containsAll(methods);
        });
    }

    @Test
    void theDocsPageAndTheAsyncApiDocumentAreServedBesideIt() {
        Response ui = get("/q/swagger-ui/");
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.contentType()).startsWith("text/html");
        assertThat(ui.asString()).contains("/openapi?format=json");
        Response async = get("/asyncapi.yaml");
        assertThat(async.statusCode()).isEqualTo(200);
        assertThat(async.asString()).contains("asyncapi").contains("session.events");
    }
}
