package io.gpubroker.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.testkit.BrokerTestProfile;
import io.gpubroker.testkit.InternalCalls;
import io.gpubroker.testkit.TestStack;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** billing-service answers REST calls only with the internal token; health and metrics stay open. */
@QuarkusTest
@TestProfile(BrokerTestProfile.class)
class InternalAuthTests {
    private static final String PATH = "/costs/drift";

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

    @Test
    void oddPathsAreRefusedWithTheErrorShapeNotA500() throws Exception {
        // a fuzzer's path (seed 12814371537414) that once answered 500 here
        for (String token : new String[] {null, TestStack.INTERNAL_TOKEN}) {
            for (String path : new String[] {
                "/budgets/RAJx%17cDziiB%3C%2ClMy%2FzgMZ%25%7E%19s1T;jsessionid=1",
                "/budgets/abc%2Fdef;jsessionid=1",
                "/budgets/a%25%7E;x=1",
                "/costs;jsessionid=1"
            }) {
                String response = raw(path, token);
                assertThat(response).as(path).doesNotStartWith("HTTP/1.1 5");
                if (token == null || !path.startsWith("/costs")) {
                    assertThat(response).as(path).startsWith("HTTP/1.1 4").contains("\"request_id\":");
                }
            }
        }
    }

    private String raw(String path, String token) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            String auth = token == null ? "" : TestStack.INTERNAL_HEADER + ": " + token + "\r\n";
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + auth + "Connection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static void assertRefused(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(401);
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertThat(body.path("error").asText()).contains("internal token");
        assertThat(body.path("request_id").asText()).isNotBlank();
    }
}
