package io.gpubroker.gateway.proxy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.ErrorMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Turns a public call into a service call and the service's answer into the public answer.
 * Service error bodies pass through untouched (they already have the error shape, and stale
 * inventory carries extra fields); a service answer that is not JSON becomes the error shape.
 */
@ApplicationScoped
public class Forwarder {
    public static final int MAX_BODY = 1024 * 1024;

    private final UpstreamClient upstream;
    private final CallContext call;
    private final ObjectMapper mapper;

    public Forwarder(UpstreamClient upstream, CallContext call, ObjectMapper mapper) {
        this.upstream = upstream;
        this.call = call;
        // money travels in these bodies: parse decimals exactly so a rewritten body keeps "250.50" as sent
        this.mapper = mapper.copy()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    }

    /** The exact-decimal mapper every body the gateway reads goes through. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** Forwards as is: method, path, the raw query, and the JSON body (validated first). */
    public Uni<Response> forward(Service service, HttpMethod method, String path, HttpServerRequest req, byte[] body) {
        validJson(body, req, false);
        Buffer b = body == null || body.length == 0 ? null : Buffer.buffer(body);
        String q = req.query();
        return send(service, method, q == null || q.isEmpty() ? path : path + "?" + q, b, req)
                .map(this::respond);
    }

    /** A call with a body/query the gateway rewrote. */
    public Uni<Reply> send(
            Service service, HttpMethod method, String pathAndQuery, Buffer body, HttpServerRequest req) {
        Map<String, String> headers = new HashMap<>();
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        if (req != null && req.getHeader("Idempotency-Key") != null) {
            headers.put("Idempotency-Key", req.getHeader("Idempotency-Key"));
        }
        return upstream.call(service, method, pathAndQuery, body, headers, call.requestId());
    }

    public Response respond(Reply r) {
        if (r.status() >= 400 && (!r.json() || r.tree(mapper) == null)) {
            String msg = switch (r.status()) {
                case 404 -> "not found";
                case 405 -> "method not allowed";
                default -> "upstream service answered " + r.status();
            };
            return ErrorMapper.body(r.status(), msg, call.requestId(), Map.of());
        }
        Response.ResponseBuilder rb = Response.status(r.status());
        if (r.body() != null && r.body().length() > 0) {
            rb.entity(r.body().getBytes()).type(r.contentType() == null ? "application/json" : r.contentType());
        }
        if (r.retryAfter() != null) {
            rb.header("Retry-After", r.retryAfter());
        }
        return rb.build();
    }

    /** A JSON response the gateway built (filtered lists). */
    public Response json(int status, JsonNode node) {
        return Response.status(status)
                .type("application/json")
                .entity(node.toString().getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /**
     * The body as JSON: 415 unless the content type is JSON, 400 if it does not parse (or, when
     * {@code object} is set, is not a JSON object).
     */
    public JsonNode validJson(byte[] body, HttpServerRequest req, boolean object) {
        if (body == null || body.length == 0) {
            if (object) {
                throw ApiException.badRequest("a JSON request body is required");
            }
            return null;
        }
        if (body.length > MAX_BODY) {
            throw new ApiException(413, "request body larger than 1 MB");
        }
        String ct = req.getHeader("Content-Type");
        String base = ct == null ? "" : ct.split(";", 2)[0].trim().toLowerCase();
        if (!base.equals("application/json") && !base.endsWith("+json")) {
            throw new ApiException(415, "unsupported media type: send the body as application/json");
        }
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (Exception e) {
            throw ApiException.badRequest("malformed JSON body");
        }
        if (node == null || node.isMissingNode() || (object && !node.isObject())) {
            throw ApiException.badRequest(object ? "the request body must be a JSON object" : "malformed JSON body");
        }
        return node;
    }

    public ObjectNode object(byte[] body, HttpServerRequest req) {
        return (ObjectNode) validJson(body, req, true);
    }

    public static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static String query(MultivaluedMap<String, String> params) {
        StringJoiner j = new StringJoiner("&");
        params.forEach((k, vs) -> {
            for (String v : vs == null ? List.<String>of() : vs) {
                j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return j.length() == 0 ? "" : "?" + j;
    }
}
