package io.gpubroker.sim.vastai;

import io.gpubroker.sim.core.DockerCli;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Vast's docker-style create options: {@code -p}/{@code -e} strings in env, and container {@code args}. */
final class VastDockerOptions {

    static final Pattern PORT_OPT = Pattern.compile("-p\\s+(?:[0-9.]+:)?(\\d+):(\\d+)");
    private static final Pattern ENV_OPT = Pattern.compile("-e\\s+([A-Za-z_][A-Za-z0-9_]*)=(\\S*)");

    private VastDockerOptions() {}

    /** {@code args}: a list of words or one shell string. */
    static List<String> args(Object raw) {
        if (raw instanceof JsonArray a) {
            List<String> out = new ArrayList<>();
            a.forEach(o -> out.add(String.valueOf(o)));
            return List.copyOf(out);
        }
        if (raw instanceof String s && !s.isBlank()) {
            try {
                return List.copyOf(DockerCli.words(s));
            } catch (DockerCli.Failure e) {
                throw new IllegalArgumentException("args: " + e.getMessage());
            }
        }
        return List.of();
    }

    /** {@code "-p 1111:1111 -e A=b"} into Vast's env object form ({@code {"-p 1111:1111": "1", "A": "b"}}). */
    static Map<String, String> parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s == null) {
            return out;
        }
        Matcher p = PORT_OPT.matcher(s);
        while (p.find()) {
            out.put(p.group().replaceAll("\\s+", " "), "1");
        }
        Matcher e = ENV_OPT.matcher(s);
        while (e.find()) {
            out.put(e.group(1), e.group(2));
        }
        return out;
    }
}
