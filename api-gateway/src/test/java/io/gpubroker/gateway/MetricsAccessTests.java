package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code broker.metrics.access=admin}: {@code /metrics} needs the admin key; a consumer key or none is refused. */
@QuarkusTest
@TestProfile(MetricsAccessTests.AdminOnly.class)
class MetricsAccessTests {

    /** The module's profile with /metrics restricted to the admin key. */
    public static class AdminOnly extends GatewayTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("broker.metrics.access", "admin");
            return m;
        }
    }

    @Test
    void onlyTheAdminKeyReadsTheMetrics() {
        Response none = RestAssured.get("/metrics");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.jsonPath().getString("request_id")).isNotBlank();

        Api.Team team = Api.newTeam("metrics");
        Response consumer = team.spec().get("/metrics");
        assertThat(consumer.statusCode()).isEqualTo(403);
        assertThat(consumer.jsonPath().getString("error")).isNotBlank();

        Response admin = Api.admin().get("/metrics");
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.contentType()).startsWith("text/plain");
        assertThat(admin.asString()).contains("gpu_broker_metrics_source_up");
        // the other public routes stay public
        assertThat(RestAssured.get("/health").statusCode()).isIn(200, 503);
    }
}
