package io.gpubroker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.provider.support.GatewayTestProfile;
import io.gpubroker.testkit.InternalCalls;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** provider-gateway answers REST calls only with the internal token; health and metrics stay open. */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class InternalAuthTests {
    private static final String PATH = "/providers";

    @TestHTTPResource("/")
    URL base;

    @Test
    void aCallWithoutTheTokenIsRefused() throws Exception {
        assertRefused(InternalCalls.get(base.toString(), PATH, null));
    }

    @Test
    void aCallWithAWrongTokenIsRefused() throws Exception {
        assertRefused(InternalCalls.get(base.toString(), PATH, TestStack.INTERNAL_TOKEN + "x"));
        assertRefused(InternalCalls.get(base.toString(), "/no-such-route", "wrong"));
    }

    @Test
    void theTokenIsAccepted() {
        assertThat(InternalCalls.get(base.toString(), PATH, TestStack.INTERNAL_TOKEN)
                        .statusCode())
                .isNotEqualTo(401);
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        assertThat(InternalCalls.get(base.toString(), "/q/health/live", null).statusCode())
                .isEqualTo(200);
        assertThat(InternalCalls.get(base.toString(), "/q/metrics", null).statusCode())
                .isEqualTo(200);
    }

    private static void assertRefused(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(401);
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.path("error").asText()).contains("internal token");
        assertThat(body.path("request_id").asText()).isNotBlank();
    }
}
