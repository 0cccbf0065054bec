package io.gpubroker.provider.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/** The simulators' control API ({@code /_sim}): inject faults, inspect instances, reset. */
public final class Sim {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Sim() {}

    public static String control(String provider) {
        return ConfigProvider.getConfig().getValue("test.sim." + provider + ".control-url", String.class);
    }

    public static JsonNode call(String provider, String method, String path, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(control(provider) + path));
            b.method(
                    method,
                    body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            b.header("Content-Type", "application/json");
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
            }
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds a fault rule ({@code op}, {@code status}, {@code count}, {@code retry_after}, {@code error_200}, {@code message}). */
    public static void fault(String provider, Map<String, Object> rule) {
        call(provider, "POST", "/faults", rule);
    }

    public static void clearFaults(String provider) {
        call(provider, "DELETE", "/faults", null);
    }

    /** Live (not destroyed) instances on the simulator. */
    public static int live(String provider) {
        return call(provider, "GET", "/instances", null).path("live").asInt();
    }

    /** The simulator's record of instance {@code id}, or null. */
    public static JsonNode instance(String provider, String id) {
        for (JsonNode i : call(provider, "GET", "/instances", null).path("instances")) {
            if (id.equals(i.path("id").asText())) {
                return i;
            }
        }
        return null;
    }

    /** Instances whose tag is {@code tag} (live or not). */
    public static long withTag(String provider, String tag, boolean liveOnly) {
        long n = 0;
        for (JsonNode i : call(provider, "GET", "/instances", null).path("instances")) {
            if (tag.equals(i.path("tag").asText(null))
                    && (!liveOnly || !i.path("destroyed").asBoolean())) {
                n++;
            }
        }
        return n;
    }
}
