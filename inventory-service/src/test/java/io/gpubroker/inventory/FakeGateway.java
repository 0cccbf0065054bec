package io.gpubroker.inventory;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Stands in for provider-gateway's {@code GET /templates} (Vast templates in the broker API shape,
 * the simulator's five) on a loopback port; {@link #down} makes it answer 503 like an outage.
 */
public class FakeGateway implements QuarkusTestResourceLifecycleManager {
    public static volatile boolean down;
    private HttpServer server;

    static final String TEMPLATES = """
            {"templates":[
             {"id":338630,"hash_id":"a8a44c7363cbca20056020397e3bf072","name":"Ollama","image":"vastai/ollama","tag":"0.15.4",
              "env":"-p 1111:1111","onstart":"entrypoint.sh","runtype":"jupyter","use_ssh":true,"ssh_direct":true,"recommended":true,
              "recommended_disk_space":32,"extra_filters":"{\\"cpu_arch\\": {\\"in\\": [\\"arm64\\", \\"amd64\\"]}}",
              "creator_id":62897,"created_at":"2026-02-02T13:27:28-05:00","count_created":302},
             {"id":338631,"hash_id":"5b2c6a3f1e0d4c8b9a7f6e5d4c3b2a19","name":"PyTorch (Vast)","image":"vastai/pytorch","tag":"2.5.1",
              "runtype":"ssh","use_ssh":true,"recommended":true,"recommended_disk_space":40,
              "extra_filters":"{\\"cuda_max_good\\": {\\"gte\\": 12.4}, \\"cpu_arch\\": {\\"in\\": [\\"amd64\\"]}}"},
             {"id":338632,"hash_id":"9f8e7d6c5b4a39281706f5e4d3c2b1a0","name":"vLLM","image":"vastai/vllm","tag":"v0.9.2",
              "runtype":"ssh","use_ssh":true,"recommended":true,"recommended_disk_space":64,
              "extra_filters":"{\\"cuda_max_good\\": {\\"gte\\": 12.6}, \\"gpu_ram\\": {\\"gte\\": 24000}}"},
             {"id":338633,"hash_id":"0a1b2c3d4e5f60718293a4b5c6d7e8f9","name":"NVIDIA CUDA","image":"nvidia/cuda","tag":"12.9.0",
              "runtype":"ssh","use_ssh":true,"recommended":true,"recommended_disk_space":16,
              "extra_filters":"{\\"cuda_max_good\\": {\\"gte\\": 12.9}}"},
             {"id":338634,"hash_id":"fedcba98765432100123456789abcdef","name":"Stable Diffusion WebUI (legacy)","image":"vastai/sd-webui",
              "runtype":"jupyter","use_ssh":true,"recommended":false,"recommended_disk_space":48,"extra_filters":"{}"}
            ],"count":5}""";

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/templates", ex -> {
            byte[] body = (down ? "{\"error\":\"provider-gateway unavailable\"}" : TEMPLATES)
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(down ? 503 : 200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return Map.of(
                "quarkus.rest-client.provider-gateway.url",
                "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
