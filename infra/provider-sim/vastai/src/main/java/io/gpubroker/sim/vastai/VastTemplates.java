package io.gpubroker.sim.vastai;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A handful of Vast templates (the recommended ones the broker lists), searchable with {@code select_filters}. */
final class VastTemplates {

    private final List<Map<String, Object>> all = new ArrayList<>();

    VastTemplates() {
        add(
                338630,
                "a8a44c7363cbca20056020397e3bf072",
                "Ollama",
                "vastai/ollama",
                "0.15.4",
                "-p 1111:1111 -p 21434:21434 -e OLLAMA_MODEL=qwen3:14b",
                "entrypoint.sh",
                "jupyter",
                true,
                32,
                "{\"cpu_arch\": {\"in\": [\"arm64\", \"amd64\"]}}",
                1770056848.0,
                302);
        add(
                338631,
                "5b2c6a3f1e0d4c8b9a7f6e5d4c3b2a19",
                "PyTorch (Vast)",
                "vastai/pytorch",
                "2.5.1-cuda-12.4.1",
                "-p 1111:1111 -p 8080:8080",
                "entrypoint.sh",
                "ssh",
                true,
                40,
                "{\"cuda_max_good\": {\"gte\": 12.4}, \"cpu_arch\": {\"in\": [\"amd64\"]}}",
                1769000000.0,
                15230);
        add(
                338632,
                "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                "vLLM",
                "vastai/vllm",
                "v0.9.2",
                "-p 8000:8000 -e MODEL_NAME=Qwen/Qwen3-8B",
                "entrypoint.sh",
                "ssh",
                true,
                64,
                "{\"cuda_max_good\": {\"gte\": 12.6}, \"gpu_ram\": {\"gte\": 24000}}",
                1769500000.0,
                4120);
        add(
                338633,
                "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                "NVIDIA CUDA",
                "nvidia/cuda",
                "12.9.0-devel-ubuntu22.04",
                "",
                "",
                "ssh",
                true,
                16,
                "{\"cuda_max_good\": {\"gte\": 12.9}}",
                1768000000.0,
                9800);
        add(
                338634,
                "fedcba98765432100123456789abcdef",
                "Stable Diffusion WebUI (legacy)",
                "vastai/sd-webui",
                "1.10",
                "-p 7860:7860",
                "entrypoint.sh",
                "jupyter",
                false,
                48,
                "{}",
                1700000000.0,
                51000);
    }

    private void add(
            long id,
            String hash,
            String name,
            String image,
            String tag,
            String env,
            String onstart,
            String runtype,
            boolean recommended,
            int disk,
            String extraFilters,
            double createdAt,
            int count) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", id);
        t.put("hash_id", hash);
        t.put("name", name);
        t.put("image", image);
        t.put("tag", tag);
        t.put("env", env);
        t.put("onstart", onstart);
        t.put("runtype", runtype);
        t.put("args_str", "");
        t.put("use_ssh", true);
        t.put("ssh_direct", true);
        t.put("recommended", recommended);
        t.put("recommended_disk_space", disk);
        t.put("extra_filters", extraFilters);
        t.put("creator_id", 62897);
        t.put("created_at", createdAt);
        t.put("count_created", count);
        all.add(t);
    }

    List<Map<String, Object>> search(JsonObject filters) {
        VastQuery.validate(filters, Set.of());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> t : all) {
            if (VastQuery.matches(filters, Set.of(), f -> t.containsKey(f) ? t.get(f) : VastQuery.UNKNOWN)) {
                out.add(t);
            }
        }
        return out;
    }

    Map<String, Object> byHash(String hash) {
        return all.stream()
                .filter(t -> t.get("hash_id").equals(hash))
                .findFirst()
                .orElse(null);
    }
}
