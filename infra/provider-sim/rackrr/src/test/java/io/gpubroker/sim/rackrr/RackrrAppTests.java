package io.gpubroker.sim.rackrr;

import static io.gpubroker.sim.rackrr.RackrrHarness.newKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rackrr publishes no ports in its API; {@code docker run} over SSH still starts a real app (control view finds it). */
class RackrrAppTests {

    static RackrrHarness h;

    @BeforeAll
    static void start() {
        h = new RackrrHarness(RackrrHarness.testConfig().set("rackrr.app.model-load-seconds", "3600"));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static int status(int port) {
        try {
            return h.http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (ConnectException e) {
            return -1;
        } catch (Exception e) {
            return -2;
        }
    }

    @Test
    void dockerRunOverSshStartsAnAppThatTerminationCloses() throws Exception {
        KeyPair key = newKey();
        JsonObject vm = h.running(h.offer(RackrrHarness::dedicated), "gpub-app", key);
        String id = vm.getString("id");
        String out = h.exec(
                vm.getInteger("ssh_port"),
                "user",
                key,
                "sudo docker run -d --name gpubroker-app -p 8000:8000 -e MODEL_ID=org/rackrr ghcr.io/huggingface/text-generation-inference:2.4");
        assertThat(out).matches("[0-9a-f]{64}\n");
        JsonObject view = h.simInstance(id);
        int port = view.getJsonObject("app_ports").getInteger("8000");
        assertThat(view.getJsonArray("apps").getJsonObject(0).getString("model"))
                .isEqualTo("org/rackrr");
        assertThat(status(port)).isEqualTo(503);
        h.sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(port)).isEqualTo(200);

        assertThat(h.post("/vms/" + id + "/terminate", null).statusCode()).isBetween(200, 299);
        await().atMost(Duration.ofSeconds(5)).until(() -> status(port) == -1);
    }
}
