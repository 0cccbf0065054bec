package io.gpubroker.gateway.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;

/** A service's answer: status, content type, a few headers worth passing on, and the body. */
public record Reply(int status, String contentType, String retryAfter, Buffer body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public boolean json() {
        return contentType != null && contentType.toLowerCase().contains("json");
    }

    /** The body as JSON, or null when it is not JSON. */
    public JsonNode tree(ObjectMapper mapper) {
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            return mapper.readTree(body.getBytes());
        } catch (Exception e) {
            return null;
        }
    }
}
