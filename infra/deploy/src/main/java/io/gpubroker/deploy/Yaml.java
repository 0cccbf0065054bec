package io.gpubroker.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes Kubernetes resources (ordered maps) as one multi-document YAML file with a header comment. */
final class Yaml {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            // Kubernetes wants strings where a value looks like a number (annotations, env values, labels)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

    private Yaml() {}

    static String documents(String header, List<Map<String, Object>> resources) {
        StringBuilder out = new StringBuilder();
        for (String line : header.strip().split("\n")) {
            out.append("# ").append(line).append('\n');
        }
        try {
            for (Map<String, Object> r : resources) {
                out.append(YAML.writeValueAsString(r));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** An ordered map from alternating keys and values (the order is the order in the file). */
    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** A Kubernetes resource: apiVersion, kind, metadata, then the rest. */
    static Map<String, Object> resource(String apiVersion, String kind, Map<String, Object> metadata, Object... rest) {
        Map<String, Object> m = map("apiVersion", apiVersion, "kind", kind, "metadata", metadata);
        m.putAll(map(rest));
        return m;
    }
}
