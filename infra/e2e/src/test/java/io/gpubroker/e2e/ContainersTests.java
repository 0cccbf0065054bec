package io.gpubroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpubroker.stack.Scale;
import io.gpubroker.stack.Stack;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The containers form ({@code ./broker up --containers}): every service runs as the container of its
 * generated Kubernetes Deployment under {@code podman kube play} (images from {@code ./broker images},
 * built here when missing), on its own PostgreSQL, Kafka, Connect and simulators; the README's flow
 * runs through it — search, a session, SSH with the returned key, done, costs — and nothing of it is
 * left running afterwards.
 *
 * <p>Opt-in ({@code -Dbroker.e2e.containers=true}): it installs podman, builds six images and starts a
 * second whole stack, about eight more minutes than CI's budget holds today.
 */
@EnabledIfSystemProperty(named = "broker.e2e.containers", matches = "true")
class ContainersTests {
    private static final String PROFILE = "e2e-containers";
    private static Path root;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("broker"))) {
            root = root.getParent();
        }
        // the build that runs this test has just built every module: the images take its output as is
        Result images = run(
                Duration.ofMinutes(20),
                "env",
                "BROKER_SKIP_BUILD=1",
                root.resolve("broker").toString(),
                "images");
        assertThat(images.code()).as("./broker images:\n" + images.out()).isZero();
        System.setProperty("sim.trooper.price-drift-interval", "0");
        long t0 = System.nanoTime();
        stack = new Stack(new Stack.Options(
                root, PROFILE, false, true, E2EStack.CLOCK_SCALE, System.getenv("PG_URL"), Scale.SMALL, true));
        try {
            stack.start();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        System.out.printf(
                "containers stack started in %d s%n",
                Duration.ofNanos(System.nanoTime() - t0).toSeconds());
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack == null) {
            return;
        }
        stack.close();
        assertThat(containers()).as("containers left after the stack stopped").isEmpty();
    }

    @Test
    void theReadmeFlowRunsThroughTheContainerizedServices() throws Exception {
        List<String> running = containers();
        assertThat(running)
                .as("a container per service, played from its Deployment")
                .containsExactlyInAnyOrder(
                        "gpub-" + PROFILE + "-api-gateway-pod-0-api-gateway",
                        "gpub-" + PROFILE + "-inventory-service-pod-0-inventory-service",
                        "gpub-" + PROFILE + "-session-service-pod-0-session-service",
                        "gpub-" + PROFILE + "-billing-service-pod-0-billing-service",
                        "gpub-" + PROFILE + "-provider-gateway-pod-0-provider-gateway");
        for (String c : running) {
            // the Deployment's securityContext holds: the service user, a read-only root file system
            Result user = run(
                    Duration.ofSeconds(30),
                    "podman",
                    "inspect",
                    "--format",
                    "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}",
                    c);
            assertThat(user.out().trim()).as(c).isEqualTo("185 true");
        }

        String gw = stack.serviceUrl("api-gateway");
        String admin = stack.adminKeyValue();
        JsonNode consumer = call("POST", gw + "/api/v1/consumers", Map.of("consumer_id", "team-containers"), admin);
        String key = consumer.path("api_key").asText();
        JsonNode offer = await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(
                        () -> first(call("GET", gw + "/api/v1/inventory?provider=rackrr&limit=50", null, key)),
                        o -> o != null);
        JsonNode created = call(
                "POST",
                gw + "/api/v1/sessions",
                Map.of("offer_id", offer.path("id").asText(), "workload_type", "batch", "reservation_hours", 1),
                key);
        String id = created.path("session").path("id").asText();
        JsonNode session = await().atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> call("GET", gw + "/api/v1/sessions/" + id, null, key),
                        s -> List.of("running", "failed", "stopped")
                                .contains(s.path("status").asText()));
        assertThat(session.path("status").asText()).as(session.toString()).isEqualTo("running");
        String out = E2EStack.ssh(
                session.path("ssh_host").asText(),
                session.path("ssh_port").asInt(),
                session.path("ssh_user").asText(),
                created.path("ssh_private_key").asText(),
                "nvidia-smi --query-gpu=name --format=csv,noheader");
        assertThat(out).isNotBlank();
        call("POST", gw + "/api/v1/sessions/" + id + "/done", null, key);
        JsonNode ended = await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> call("GET", gw + "/api/v1/sessions/" + id, null, key),
                        s -> s.path("status").asText().equals("stopped"));
        assertThat(ended.path("stop_reason").asText()).isNotBlank();
        JsonNode costs = await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> call("GET", gw + "/api/v1/costs?session_id=" + id, null, key),
                        c -> c.path("total_cost").decimalValue().signum() > 0);
        System.out.println("containers form: session " + id + " ran, SSH answered '" + out.trim() + "', cost "
                + costs.path("total_cost").asText());
    }

    private static JsonNode first(JsonNode page) {
        for (JsonNode o : page.path("offers")) {
            if (o.path("available").asBoolean() && !o.path("stale").asBoolean(false)) {
                return o;
            }
        }
        return null;
    }

    private static JsonNode call(String method, String url, Object body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(E2EStack.JSON.writeValueAsString(body)));
        }
        HttpResponse<String> r = E2EStack.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + url + ": " + r.body()).isBetween(200, 299);
        return E2EStack.JSON.readTree(r.body());
    }

    private static List<String> containers() throws Exception {
        Result ps = run(
                Duration.ofSeconds(60),
                "podman",
                "ps",
                "--filter",
                "name=gpub-" + PROFILE + "-",
                "--format",
                "{{.Names}}");
        List<String> names = new ArrayList<>();
        ps.out().lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(names::add);
        return names;
    }

    record Result(int code, String out) {}

    private static Result run(Duration timeout, String... cmd) throws Exception {
        Path out = Files.createTempFile("cmd", ".txt");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not end in " + timeout);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
