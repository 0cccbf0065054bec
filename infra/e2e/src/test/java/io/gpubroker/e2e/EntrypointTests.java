package io.gpubroker.e2e;

import static io.gpubroker.e2e.E2EStack.call;
import static io.gpubroker.e2e.E2EStack.url;
import static io.gpubroker.e2e.SessionFaultsTests.awaitEnded;
import static io.gpubroker.e2e.SessionFaultsTests.create;
import static io.gpubroker.e2e.SessionFaultsTests.nothingLeaked;
import static io.gpubroker.e2e.SessionLifecycleTests.awaitStatus;
import static io.gpubroker.e2e.SessionLifecycleTests.firstOffer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code launch_mode=entrypoint}: the model server image is started (with the create on a container
 * provider, over SSH on a VM), the session runs only once its API answers health, and
 * {@code api_endpoint} is where the user really reaches it. Also the auto-retry chain after a host
 * fails verification.
 */
class EntrypointTests {

    static final Map<String, Object> VLLM = Map.of(
            "launch_mode",
            "entrypoint",
            "docker_image",
            "vllm/vllm-openai:v0.11.0",
            "model_id",
            "Qwen/Qwen3-8B",
            "exposed_ports",
            List.of(8000),
            "workload_type",
            "inference");

    @AfterEach
    void clearFaults() {
        for (String p : SessionFaultsTests.PROVIDERS) {
            E2EStack.simReset(p);
        }
    }

    static HttpResponse<String> get(String url) throws Exception {
        return E2EStack.HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vastai", "tensordock", "barrack"})
    void aModelServerSessionRunsOnlyWhenItsApiAnswersAndTheEndpointServesTheModel(String provider) throws Exception {
        String id = create(provider, firstOffer(provider), VLLM)
                .path("session")
                .path("id")
                .asText();
        JsonNode running = awaitStatus(id, "running");
        String endpoint = running.path("api_endpoint").asText();
        assertThat(endpoint).startsWith("http://");
        HttpResponse<String> health = get(endpoint + "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> models = get(endpoint + "/v1/models");
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(E2EStack.JSON
                        .readTree(models.body())
                        .path("data")
                        .path(0)
                        .path("id")
                        .asText())
                .isEqualTo("Qwen/Qwen3-8B");

        assertThat(call("POST", url("session-service") + "/sessions/" + id + "/done", null)
                        .status())
                .isEqualTo(200);
        awaitStatus(id, "stopped");
        nothingLeaked(provider, id);
        assertThat(catchThrowable(() -> get(endpoint + "/health")))
                .as("the app went with its instance")
                .isNotNull();
    }

    @Test
    void anImageThatCannotBePulledFailsWithTheReasonAndLeavesNothing() {
        E2EStack.simFault("tensordock", Map.of("op", "instance", "instance_fault", "image_pull_failed", "count", 1));
        String id = create("tensordock", firstOffer("tensordock"), VLLM)
                .path("session")
                .path("id")
                .asText();
        JsonNode s = awaitEnded(id);
        assertThat(s.path("status").asText()).isEqualTo("failed");
        assertThat(s.path("error_class").asText()).isEqualTo("app_launch_failed");
        assertThat(s.path("failure_reason").asText()).contains("docker run exited 125");
        nothingLeaked("tensordock", id);
    }

    @Test
    void aModelThatNeverBecomesHealthyIsDestroyedAtTheDeadlineAndNeverBilled() {
        E2EStack.simFault("vastai", Map.of("op", "instance", "instance_fault", "app_never_healthy", "count", 1));
        String id = create("vastai", firstOffer("vastai"), VLLM)
                .path("session")
                .path("id")
                .asText();
        JsonNode s = awaitEnded(id);
        assertThat(s.path("status").asText()).isEqualTo("failed");
        assertThat(s.path("error_class").asText()).isEqualTo("app_unhealthy");
        assertThat(s.path("failure_reason").asText())
                .contains("did not answer /health")
                .contains("503");
        assertThat(s.path("started_at").isNull() || s.path("started_at").isMissingNode())
                .as("billing never started")
                .isTrue();
        nothingLeaked("vastai", id);
    }

    @Test
    void aModelThatAnswersHealthButFailsInferenceIsDestroyedBeforeBilling() {
        E2EStack.simFault("barrack", Map.of("op", "instance", "instance_fault", "app_inference_fails", "count", 1));
        String id = create("barrack", firstOffer("barrack"), VLLM)
                .path("session")
                .path("id")
                .asText();
        JsonNode s = awaitEnded(id);
        assertThat(s.path("status").asText()).isEqualTo("failed");
        assertThat(s.path("error_class").asText()).isEqualTo("app_inference_failed");
        assertThat(s.path("failure_reason").asText()).contains("CUDA error");
        assertThat(s.path("started_at").isNull() || s.path("started_at").isMissingNode())
                .as("billing never started")
                .isTrue();
        nothingLeaked("barrack", id);
    }

    @Test
    void entrypointIsRefusedWhereTheProviderPublishesNoPorts() {
        Map<String, Object> body = new java.util.HashMap<>(VLLM);
        body.putAll(Map.of(
                "consumer_id",
                "e2e-ep-trooper",
                "offer_id",
                firstOffer("trooper").path("id").asText(),
                "reservation_hours",
                1));
        E2EStack.Reply r = call("POST", url("session-service") + "/sessions", body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().path("error").asText())
                .contains("launch_mode 'entrypoint'")
                .contains("trooper");
    }

    @Test
    void aHostThatFailsVerificationIsDestroyedAndTheSessionGoesOnAnotherOfferTheUserCanFollow() {
        E2EStack.simFault("barrack", Map.of("op", "instance", "instance_fault", "gpu_mismatch", "count", 1));
        JsonNode offer = firstOffer("barrack");
        String id = create("barrack", offer, Map.of("auto_retry", true, "max_retries", 2, "retry_scope", "any"))
                .path("session")
                .path("id")
                .asText();
        JsonNode running = awaitStatus(id, "running");
        assertThat(running.path("retry_count").asInt()).isEqualTo(1);
        assertThat(running.path("offer_id").asText())
                .isNotEqualTo(offer.path("id").asText());
        JsonNode attempts = running.path("attempts");
        assertThat(attempts.size()).isEqualTo(2);
        assertThat(attempts.path(0).path("offer_id").asText())
                .isEqualTo(offer.path("id").asText());
        assertThat(attempts.path(0).path("outcome").asText()).isEqualTo("retried");
        assertThat(attempts.path(0).path("detail").asText()).contains("host reports GPU");
        assertThat(attempts.path(1).path("outcome").asText()).isEqualTo("running");
        call("POST", url("session-service") + "/sessions/" + id + "/done", null);
        awaitStatus(id, "stopped");
        nothingLeaked("barrack", id);
        nothingLeaked(running.path("provider").asText(), id);
    }
}
