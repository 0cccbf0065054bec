package io.gpubroker.cli.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The public API over {@code java.net.http}: JSON in and out, the API key as a bearer token, and
 * every non-2xx answer turned into an {@link ApiException} carrying the API's message and request id.
 */
public final class BrokerApi {
    /** Money stays decimal: prices and costs are read as BigDecimal, never rounded through double. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final String USER_AGENT = "gpu-cli/0.1";

    private final String baseUrl;
    private final String apiKey;
    private final HttpClient http;

    public BrokerApi(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /** A query string from the non-null values, in the given order ({@code ""} when none). */
    public static String query(Map<String, ?> params) {
        StringJoiner q = new StringJoiner("&", "?", "");
        q.setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) {
                q.add(k + "=" + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }

    /** An ordered parameter map for {@link #query}: {@code params("a", 1, "b", null)}. */
    public static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    public static String seg(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, Object body) {
        HttpRequest.Builder b = request(path).timeout(Duration.ofSeconds(30));
        if (body != null) {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot encode the request body", e);
            }
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new BrokerUnreachable(baseUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnreachable(baseUrl, e);
        }
        JsonNode tree = parse(r.body());
        if (r.statusCode() / 100 != 2) {
            throw error(
                    r.statusCode(), tree, r.headers().firstValue("X-Request-ID").orElse(null));
        }
        return tree;
    }

    /**
     * Opens a Server-Sent Events stream. A 2xx answer returns the open body; a non-2xx answer (404
     * when the broker has no event stream) is an {@link ApiException}, its body read and closed.
     */
    public InputStream openStream(String path, String lastEventId) {
        HttpRequest.Builder b =
                request(path).setHeader("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 != 2) {
                String text;
                try (InputStream in = r.body()) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                throw error(
                        r.statusCode(),
                        parse(text),
                        r.headers().firstValue("X-Request-ID").orElse(null));
            }
            return r.body();
        } catch (IOException e) {
            throw new BrokerUnreachable(baseUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnreachable(baseUrl, e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
        if (apiKey != null && !apiKey.isBlank()) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            // not JSON (a proxy's HTML page): keep the text so the error can show it
            return JSON.getNodeFactory().textNode(text);
        }
    }

    private static ApiException error(int status, JsonNode body, String headerRequestId) {
        String message;
        if (body.isObject() && body.hasNonNull("error")) {
            message = body.get("error").asText();
        } else if (body.isTextual()) {
            String t = body.asText().strip();
            message =
                    "HTTP " + status + (t.isEmpty() ? "" : ": " + (t.length() > 200 ? t.substring(0, 200) + "..." : t));
        } else {
            message = "HTTP " + status;
        }
        String requestId = body.path("request_id").asText(null);
        return new ApiException(status, message, requestId != null ? requestId : headerRequestId, body);
    }
}
