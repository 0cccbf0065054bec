package io.gpubroker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Per-key rate limits (20/s, burst 40 in tests) and the per-consumer cap on live sessions (3 in tests). */
@QuarkusTest
@TestProfile(GatewayTestProfile.class)
class LimitsTests {

    @Test
    void aKeyOverItsRateIsRefusedWith429AndRetryAfterWhileAnotherKeyIsNot() {
        Api.Team greedy = Api.newTeam("greedy");
        Api.Team polite = Api.newTeam("polite");
        // 150 requests at once: far more than the 40-request burst plus what 20/s refills meanwhile,
        // however slow this shared machine is
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/offer-health"))
                .header("Authorization", "Bearer " + greedy.key())
                .timeout(Duration.ofSeconds(30))
                .build();
        List<HttpResponse<String>> all = IntStream.range(0, 150)
                .mapToObj(i -> http.sendAsync(req, HttpResponse.BodyHandlers.ofString()))
                .toList()
                .stream()
                .map(CompletableFuture::join)
                .toList();
        List<HttpResponse<String>> limited =
                all.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(limited).isNotEmpty();
        assertThat(all).allMatch(r -> r.statusCode() == 200 || r.statusCode() == 429);
        assertThat(all.stream().filter(r -> r.statusCode() == 200).count())
                .as("the burst passes")
                .isGreaterThanOrEqualTo(40);
        HttpResponse<String> one = limited.get(0);
        assertThat(Integer.parseInt(one.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1, 5);
        assertThat(new JsonObject(one.body()).getString("error")).contains("rate limit");
        assertThat(new JsonObject(one.body()).getString("request_id")).isNotBlank();
        assertThat(polite.spec().get("/api/v1/offer-health").statusCode())
                .as("buckets are per key")
                .isEqualTo(200);
    }

    @Test
    void aConsumerAtItsSessionCapCannotCreateAnotherUntilOneEnds() {
        Api.Team t = Api.newTeam("capped");
        FakeServices f = FakeServices.get();
        f.seedSession(t.id(), "running");
        f.seedSession(t.id(), "provisioning");
        f.seedSession(t.id(), "stopped");
        f.seedSession(t.id(), "failed");
        String body = "{\"offer_id\":\"vastai-1\",\"workload_type\":\"llm\",\"reservation_hours\":1}";
        Response third = Api.send(t.spec(), "POST", "/api/v1/sessions", body);
        assertThat(third.statusCode())
                .as("stopped and failed sessions do not count")
                .isEqualTo(201);
        String thirdId = third.path("session.id");

        Response fourth = Api.send(t.spec(), "POST", "/api/v1/sessions", body);
        ErrorShapeTests.assertErrorShape(fourth, 409);
        assertThat(fourth.<String>path("error")).contains("3 active sessions").contains("limit 3");
        assertThat(fourth.<Integer>path("limit")).isEqualTo(3);

        f.sessions.get(thirdId).put("status", "stopped");
        assertThat(Api.send(t.spec(), "POST", "/api/v1/sessions", body).statusCode())
                .isEqualTo(201);
    }
}
