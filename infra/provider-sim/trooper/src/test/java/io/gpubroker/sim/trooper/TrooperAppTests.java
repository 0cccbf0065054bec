package io.gpubroker.sim.trooper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Trooper publishes no ports in its API; {@code docker run} over SSH still starts a real app (control view finds it). */
class TrooperAppTests {

    static TrooperFixture t;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    static void start() {
        t = TrooperFixture.start("trooper.app.model-load-seconds", "3600");
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    static int status(int port) {
        try {
            return HTTP.send(
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
    void dockerRunOverSshStartsAnAppThatStopsWithTheServer() throws Exception {
        int id = t.order();
        t.awaitStatus(id, "running");
        JsonObject c = t.credentials(id);
        KeyPair key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        TrooperFixture.installKeyWithPassword(c.getInteger("ssh_port"), "root", c.getString("password"), key);

        String out = TrooperFixture.exec(
                c.getInteger("ssh_port"),
                "root",
                key,
                "docker run -d --name gpubroker-app --gpus all -p 8000:8000 vllm/vllm-openai:latest --model org/trooper");
        assertThat(out).matches("[0-9a-f]{64}\n");
        JsonObject view = t.controlInstance(id);
        int port = view.getJsonObject("app_ports").getInteger("8000");
        JsonObject app = view.getJsonArray("apps").getJsonObject(0);
        assertThat(app.getInteger("external_port")).isEqualTo(port);
        assertThat(app.getString("model")).isEqualTo("org/trooper");
        assertThat(status(port)).isEqualTo(503);
        t.sim.clock().advance(Duration.ofSeconds(3600));
        assertThat(status(port)).isEqualTo(200);
        assertThat(t.controlInstance(id).getJsonArray("apps").getJsonObject(0).getBoolean("healthy"))
                .isTrue();

        assertThat(t.action(id, "stopped").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> status(port) == -1);
    }
}
