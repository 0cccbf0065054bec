package io.gpubroker.provider.adapter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * A provider's HTTP endpoint: base URL, auth headers, JSON in and out, and the classification every
 * provider shares (401/403 auth, 402 funds, 404 not found, 429 rate limited with Retry-After, 5xx and
 * I/O transient). Adapters refine it for their quirks (errors inside HTTP 200, error codes in bodies).
 */
public final class ProviderHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    // money is read exactly: a billed 0.075 must not come back as 0.07500000000000001
    private static final ObjectMapper EXACT =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    /** A provider answer; {@link #json()} parses lazily. */
    public record Response(int status, String body, Map<String, java.util.List<String>> headers) {

        public JsonNode json() {
            try {
                return body == null || body.isBlank() ? JSON.missingNode() : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                return JSON.missingNode();
            }
        }

        /** The body with decimals as BigDecimal (billing amounts); missing node when it is not JSON. */
        public JsonNode exactJson() {
            try {
                return body == null || body.isBlank() ? EXACT.missingNode() : EXACT.readTree(body);
            } catch (JsonProcessingException e) {
                return EXACT.missingNode();
            }
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public Duration retryAfter() {
            java.util.List<String> v = headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase("Retry-After"))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
            if (v == null || v.isEmpty()) {
                return null;
            }
            try {
                return Duration.ofSeconds(Long.parseLong(v.get(0).trim()));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** Short body text for error messages (never contains our credentials: providers do not echo them). */
        public String snippet() {
            if (body == null) {
                return "";
            }
            String b = body.replaceAll("\\s+", " ");
            return b.length() > 300 ? b.substring(0, 300) + "..." : b;
        }
    }

    private final String baseUrl;
    private final Map<String, String> authHeaders;
    private final Duration timeout;

    public ProviderHttp(String baseUrl, Map<String, String> authHeaders, Duration timeout) {
        this.baseUrl = baseUrl;
        this.authHeaders = Map.copyOf(authHeaders);
        this.timeout = timeout;
    }

    public static ObjectMapper mapper() {
        return JSON;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body);
    }

    public Response put(String path, Object body) {
        return send("PUT", path, body);
    }

    /** Sends one request. I/O failures become TRANSIENT; a timeout may have been applied by the provider. */
    public Response send(String method, String path, Object body) {
        String url = path.startsWith("http") ? path : baseUrl + path;
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept", "application/json");
        authHeaders.forEach(b::header);
        if (body != null) {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } catch (JsonProcessingException e) {
                throw new ProviderException(ErrorClass.INVALID, "cannot encode request: " + e.getOriginalMessage());
            }
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.body(), r.headers().map());
        } catch (HttpTimeoutException e) {
            throw new ProviderException(ErrorClass.TRANSIENT, method + " " + path + " timed out", 0, null, true, e);
        } catch (ConnectException e) {
            throw new ProviderException(
                    ErrorClass.TRANSIENT, method + " " + path + ": cannot connect", 0, null, false, e);
        } catch (IOException e) {
            throw new ProviderException(
                    ErrorClass.TRANSIENT,
                    method + " " + path + ": " + e.getClass().getSimpleName(),
                    0,
                    null,
                    true,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(ErrorClass.TRANSIENT, method + " " + path + " interrupted", 0, null, true, e);
        }
    }

    /** The shared status classification; {@code refine} may name a better class from the body (or null). */
    public static ProviderException classify(String what, Response r, Function<Response, ErrorClass> refine) {
        ErrorClass c = refine == null ? null : refine.apply(r);
        if (c == null) {
            c = switch (r.status()) {
                case 401, 403 -> ErrorClass.AUTH;
                case 402 -> ErrorClass.INSUFFICIENT_FUNDS;
                case 404, 410 -> ErrorClass.NOT_FOUND;
                case 409 -> ErrorClass.NO_CAPACITY;
                case 429 -> ErrorClass.RATE_LIMITED;
                default -> r.status() >= 500 ? ErrorClass.TRANSIENT : ErrorClass.INVALID;
            };
        }
        return new ProviderException(
                c, what + ": HTTP " + r.status() + " " + r.snippet(), r.status(), r.retryAfter(), false, null);
    }

    /** Returns {@code r} when 2xx, else throws its classification. */
    public static Response require(String what, Response r, Function<Response, ErrorClass> refine) {
        if (r.ok()) {
            return r;
        }
        throw classify(what, r, refine);
    }

    public static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public static Integer integer(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asInt();
        }
        try {
            return Integer.parseInt(v.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static Double decimal(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        try {
            return Double.parseDouble(v.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
