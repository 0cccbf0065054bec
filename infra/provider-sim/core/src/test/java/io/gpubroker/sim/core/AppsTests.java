package io.gpubroker.sim.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real HTTP model servers started by a real {@code docker run} over a real SSH session. */
class AppsTests {

    /** What one SSH exec printed and how it exited. */
    record Exec(int exit, String out, String err) {}

    static SshClient client;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    SimClock clock;
    SimInstance inst;
    Apps apps;
    SshHost host;
    KeyPair key;

    @BeforeAll
    static void client() {
        client = SshClient.setUpDefaultClient();
        client.start();
    }

    @AfterAll
    static void stop() {
        client.stop();
    }

    @BeforeEach
    void host() throws Exception {
        clock = new SimClock(Instant.now(), 1.0);
        inst = new SimInstance(
                "i-1",
                "gpub-x",
                "running",
                BigDecimal.ONE,
                Instant.now(),
                new GpuSpec("RTX 4090", 1, 24564, "560.35.03", "12.6"));
        apps = new Apps(inst, clock, () -> Duration.ofSeconds(60));
        inst.apps = apps;
        key = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        host = new SshHost("root", "sim-apps", inst.offeredGpu, SshHost.Mode.NORMAL).start();
        host.authorize(PublicKeyEntry.toString(key.getPublic()));
        host.setDocker(apps);
    }

    @AfterEach
    void close() {
        host.close();
        apps.closeAll();
    }

    Exec ssh(String command) throws Exception {
        try (ClientSession s = client.connect("root", "127.0.0.1", host.port())
                .verify(Duration.ofSeconds(5))
                .getSession()) {
            s.addPublicKeyIdentity(key);
            s.auth().verify(Duration.ofSeconds(5));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (ChannelExec ch = s.createExecChannel(command)) {
                ch.setOut(out);
                ch.setErr(err);
                ch.open().verify(Duration.ofSeconds(5));
                ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
                return new Exec(ch.getExitStatus(), out.toString(), err.toString());
            }
        }
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(3))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void awaitRefused(int port) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    try {
                        get(port, "/health");
                        return false;
                    } catch (ConnectException e) {
                        return true;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
    }

    // ------------------------------------------------------------------ AppServer

    @Test
    void healthIsLoadingUntilTheSimulatedLoadTimeHasPassedThenOk() throws Exception {
        try (AppServer app = new AppServer(
                        "vllm/vllm-openai:latest", "Qwen/Qwen2.5-0.5B", 8000, 8000, clock, Duration.ofSeconds(60))
                .start(0)) {
            HttpResponse<String> h = get(app.port(), "/health");
            assertThat(h.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(h.body()).getString("status")).isEqualTo("loading");
            assertThat(get(app.port(), "/v1/models").statusCode()).isEqualTo(503);
            assertThat(app.view()).containsEntry("healthy", false).containsEntry("state", "loading");

            clock.advance(Duration.ofSeconds(61));
            h = get(app.port(), "/health");
            assertThat(h.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(h.body()).getString("status")).isEqualTo("ok");
            HttpResponse<String> models = get(app.port(), "/v1/models");
            assertThat(models.statusCode()).isEqualTo(200);
            JsonObject m = new JsonObject(models.body());
            assertThat(m.getString("object")).isEqualTo("list");
            assertThat(m.getJsonArray("data").getJsonObject(0).getMap())
                    .isEqualTo(Map.of("id", "Qwen/Qwen2.5-0.5B", "object", "model", "owned_by", "gpubroker-sim"));
            JsonObject root = new JsonObject(get(app.port(), "/").body());
            assertThat(root.getString("image")).isEqualTo("vllm/vllm-openai:latest");
            assertThat(root.getString("model")).isEqualTo("Qwen/Qwen2.5-0.5B");
            assertThat(root.getInteger("port")).isEqualTo(8000);
            assertThat(get(app.port(), "/v1/completions").statusCode()).isEqualTo(404);
            assertThat(app.view()).containsEntry("healthy", true).containsEntry("state", "healthy");
        }
    }

    @Test
    void aClosedAppRefusesConnections() throws Exception {
        AppServer app = new AppServer("img", "m", 8000, 8000, clock, Duration.ZERO).start(0);
        assertThat(get(app.port(), "/health").statusCode()).isEqualTo(200);
        app.close();
        assertThatThrownBy(() -> get(app.port(), "/health")).isInstanceOf(ConnectException.class);
        assertThat(app.state()).isEqualTo(AppServer.State.STOPPED);
    }

    // ------------------------------------------------------------------ docker over SSH

    @Test
    void dockerRunOverSshStartsTheAppOnThePortPublishedForTheVmPort() throws Exception {
        int published = apps.publish(8000);
        Exec r = ssh("sudo docker run -d --name gpubroker-app --restart unless-stopped --gpus all --ipc=host"
                + " --shm-size 16g -v /data:/root/.cache -e HF_TOKEN=x --env=PORT=8000 -p 8000:8000"
                + " vllm/vllm-openai:v0.6.3 --model 'meta-llama/Llama-3.1-8B-Instruct' --host 0.0.0.0 --port 8000");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("[0-9a-f]{64}\n");
        assertThat(get(published, "/health").statusCode()).isEqualTo(503);
        clock.advance(Duration.ofSeconds(60));
        assertThat(get(published, "/health").statusCode()).isEqualTo(200);
        assertThat(new JsonObject(get(published, "/v1/models").body())
                        .getJsonArray("data")
                        .getJsonObject(0)
                        .getString("id"))
                .isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(apps.view()).singleElement().satisfies(v -> {
            assertThat(v)
                    .containsEntry("vm_port", 8000)
                    .containsEntry("external_port", published)
                    .containsEntry("image", "vllm/vllm-openai:v0.6.3")
                    .containsEntry("model", "meta-llama/Llama-3.1-8B-Instruct")
                    .containsEntry("healthy", true)
                    .containsEntry("container", "gpubroker-app");
        });

        Exec ps = ssh("docker ps");
        assertThat(ps.out())
                .contains("CONTAINER ID")
                .contains("gpubroker-app")
                .contains("0.0.0.0:8000->8000/tcp")
                .contains(r.out().substring(0, 12));
        Exec again = ssh("docker run -d --name gpubroker-app -p 8000:8000 vllm/vllm-openai:v0.6.3");
        assertThat(again.exit()).isEqualTo(125);
        assertThat(again.err()).contains("Conflict. The container name \"/gpubroker-app\" is already in use");
        Exec samePort = ssh("docker run -d --name other -p 8000:8000 vllm/vllm-openai:v0.6.3");
        assertThat(samePort.exit()).isEqualTo(125);
        assertThat(samePort.err()).contains("port is already allocated");

        Exec rm = ssh("docker rm -f gpubroker-app && docker ps -q");
        assertThat(rm.exit()).isZero();
        assertThat(rm.out()).isEqualTo("gpubroker-app\n");
        awaitRefused(published);
        assertThat(apps.view()).isEmpty();
    }

    @Test
    void anUnpublishedVmPortGetsAFreshLoopbackPortRecordedAsItsMapping() throws Exception {
        Exec r = ssh(
                "docker run -d -p 127.0.0.1:9000:80/tcp -e MODEL_ID=org/tgi-model ghcr.io/huggingface/text-generation-inference:2.4");
        assertThat(r.exit()).as(r.err()).isZero();
        Integer ext = apps.published().get(9000);
        assertThat(ext).isNotNull().isPositive();
        clock.advance(Duration.ofMinutes(2));
        assertThat(get(ext, "/health").statusCode()).isEqualTo(200);
        assertThat(new JsonObject(get(ext, "/").body()).getInteger("port")).isEqualTo(80);
        assertThat(apps.view().get(0)).containsEntry("model", "org/tgi-model");
    }

    @Test
    void destroyingTheInstanceClosesItsApps() throws Exception {
        assertThat(ssh("docker run -d -p 8000:8000 img:1").exit()).isZero();
        int port = apps.published().get(8000);
        assertThat(get(port, "/health").statusCode()).isEqualTo(503);
        inst.destroyed = true;
        apps.closeAll();
        assertThatThrownBy(() -> get(port, "/health")).isInstanceOf(ConnectException.class);
        assertThat(apps.view().get(0)).containsEntry("healthy", false).containsEntry("state", "stopped");
    }

    @Test
    void dockerAnswersLikeDockerForUnknownCommandsAndIsMissingWithoutApps() throws Exception {
        Exec bad = ssh("docker frobnicate");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("docker: 'frobnicate' is not a docker command.\nSee 'docker --help'\n");
        Exec flag = ssh("docker run --bogus img");
        assertThat(flag.exit()).isEqualTo(125);
        assertThat(flag.err()).startsWith("unknown flag: --bogus");
        Exec noImage = ssh("docker run -d");
        assertThat(noImage.exit()).isEqualTo(1);
        assertThat(ssh("docker --version").out()).startsWith("Docker version");
        Exec noSuch = ssh("docker logs nope");
        assertThat(noSuch.exit()).isEqualTo(1);
        assertThat(noSuch.err()).contains("No such container: nope");

        host.setDocker(null);
        Exec missing = ssh("docker ps");
        assertThat(missing.exit()).isEqualTo(127);
        assertThat(missing.err()).isEqualTo("bash: docker: command not found\n");
    }

    // ------------------------------------------------------------------ faults

    static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(3))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void completionsAnswerForTheLoadedModelOnlyAndFailUnderTheInferenceFault() throws Exception {
        assertThat(ssh("docker run -d -p 8000:8000 vllm/vllm-openai --model Qwen/Qwen3-8B")
                        .exit())
                .isZero();
        int port = apps.published().get(8000);
        String ask = "{\"model\":\"Qwen/Qwen3-8B\",\"prompt\":\"ping\",\"max_tokens\":1}";
        assertThat(post(port, "/v1/completions", ask).statusCode())
                .as("still loading")
                .isEqualTo(503);
        clock.advance(Duration.ofSeconds(61));
        HttpResponse<String> ok = post(port, "/v1/completions", ask);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ok.body())
                        .getJsonArray("choices")
                        .getJsonObject(0)
                        .getString("text"))
                .isNotBlank();
        HttpResponse<String> other = post(port, "/v1/completions", "{\"model\":\"gpt2\",\"prompt\":\"x\"}");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).contains("does not exist");
        assertThat(post(port, "/v1/completions", "{not json").statusCode()).isEqualTo(400);

        apps.fault("app_inference_fails");
        assertThat(get(port, "/health").statusCode()).as("health still says ok").isEqualTo(200);
        HttpResponse<String> broken = post(port, "/v1/completions", ask);
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.body()).contains("CUDA error");
    }

    @Test
    void appNeverHealthyKeepsHealthAt503() throws Exception {
        inst.fault = "app_never_healthy";
        assertThat(ssh("docker run -d -p 8000:8000 img --model m").exit()).isZero();
        int port = apps.published().get(8000);
        clock.advance(Duration.ofHours(5));
        assertThat(get(port, "/health").statusCode()).isEqualTo(503);
        assertThat(get(port, "/v1/models").statusCode()).isEqualTo(503);
        assertThat(apps.view().get(0)).containsEntry("healthy", false);
    }

    @Test
    void appCrashClosesTheServerWhenTheModelWouldHaveLoaded() throws Exception {
        inst.fault = "app_crash";
        assertThat(ssh("docker run -d -p 8000:8000 img").exit()).isZero();
        int port = apps.published().get(8000);
        assertThat(get(port, "/health").statusCode()).isEqualTo(503);
        clock.advance(Duration.ofSeconds(61));
        awaitRefused(port);
        assertThat(apps.view().get(0)).containsEntry("state", "crashed").containsEntry("healthy", false);
        assertThat(ssh("docker ps -a").out()).contains("Exited (1)");
        assertThat(ssh("docker logs " + "sim_app_1").out()).contains("out of memory");
    }

    @Test
    void aLiveAppCrashFaultRefusesConnectionsAtOnce() throws Exception {
        assertThat(ssh("docker run -d -p 8000:8000 img").exit()).isZero();
        int port = apps.published().get(8000);
        clock.advance(Duration.ofSeconds(60));
        assertThat(get(port, "/health").statusCode()).isEqualTo(200);
        apps.fault("app_crash");
        assertThatThrownBy(() -> get(port, "/health")).isInstanceOf(ConnectException.class);
    }

    @Test
    void imagePullFailedMakesDockerRunExit125() throws Exception {
        inst.fault = "image_pull_failed";
        Exec r = ssh("docker run -d --name app -p 8000:8000 vllm/vllm-openai");
        assertThat(r.exit()).isEqualTo(125);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .startsWith("Unable to find image 'vllm/vllm-openai:latest' locally\n")
                .contains("manifest for vllm/vllm-openai:latest not found: manifest unknown");
        assertThat(apps.view()).isEmpty();
        assertThat(ssh("docker pull vllm/vllm-openai:v1").exit()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ parsing

    @Test
    void dockerRunOptionsParseInEveryForm() {
        List<String> words = DockerCli.words(
                "run -d --name=n1 --gpus=all --restart=always --ipc host --shm-size=8g --volume=/a:/b -v /c:/d"
                        + " -e A=1 --env B=2 --env=C=3 --publish=7000:7001 -p 8000:8000 --publish 0.0.0.0:9000:9001/tcp"
                        + " -p 5000 img:tag --model-id=org/m --max-model-len 4096 > /tmp/log 2>&1 &");
        assertThat(words).doesNotContain(">", "/tmp/log", "2>&1", "&");
        DockerCli.Run r = DockerCli.parseRun(words.subList(1, words.size()));
        assertThat(r.detach()).isTrue();
        assertThat(r.name()).isEqualTo("n1");
        assertThat(r.restart()).isEqualTo("always");
        assertThat(r.env()).isEqualTo(Map.of("A", "1", "B", "2", "C", "3"));
        assertThat(r.publish())
                .containsExactly(
                        new DockerCli.Publish(7000, 7001),
                        new DockerCli.Publish(8000, 8000),
                        new DockerCli.Publish(9000, 9001),
                        new DockerCli.Publish(null, 5000));
        assertThat(r.image()).isEqualTo("img:tag");
        assertThat(r.args()).containsExactly("--model-id=org/m", "--max-model-len", "4096");
        assertThat(DockerCli.model(r.args(), r.env(), r.image())).isEqualTo("org/m");
    }

    @Test
    void theModelComesFromTheCommandThenTheEnvThenTheImage() {
        assertThat(DockerCli.model(List.of("--model", "a/b"), Map.of("MODEL_ID", "x"), "img"))
                .isEqualTo("a/b");
        assertThat(DockerCli.model(List.of("--model=a/c"), Map.of(), "img")).isEqualTo("a/c");
        assertThat(DockerCli.model(List.of("--model-id", "a/d"), Map.of(), "img"))
                .isEqualTo("a/d");
        assertThat(DockerCli.model(List.of(), Map.of("MODEL_ID", "e"), "img")).isEqualTo("e");
        assertThat(DockerCli.model(List.of(), Map.of("MODEL", "f"), "img")).isEqualTo("f");
        assertThat(DockerCli.model(List.of(), Map.of("MODEL_NAME", "g"), "img")).isEqualTo("g");
        assertThat(DockerCli.model(List.of("--port", "1"), Map.of(), "vllm/vllm-openai:latest"))
                .isEqualTo("vllm/vllm-openai:latest");
    }

    @Test
    void shellWordsAndSequencesFollowTheShell() {
        assertThat(DockerCli.words("a 'b c' \"d \\\" e\" f\\ g >/dev/null 2>&1 &"))
                .containsExactly("a", "b c", "d \" e", "f g");
        assertThat(DockerCli.sequence("docker rm -f x || true; docker run 'a;b' && echo ok"))
                .containsExactly(
                        new DockerCli.Step(";", "docker rm -f x"),
                        new DockerCli.Step("||", "true"),
                        new DockerCli.Step(";", "docker run 'a;b'"),
                        new DockerCli.Step("&&", "echo ok"));
    }
}
