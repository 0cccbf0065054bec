package io.gpubroker.billing.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;

/**
 * provider-gateway answered with an error (its message says what the provider did: a 401, an open
 * circuit breaker, an answer without billing data), or could not be reached.
 */
public class GatewayCallException extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int status;

    public GatewayCallException(String message, int status, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    /** The gateway's HTTP status; 0 when it was not reached. */
    public int status() {
        return status;
    }

    static GatewayCallException of(Response r) {
        String error = "";
        try {
            String body = r.hasEntity() ? r.readEntity(String.class) : "";
            JsonNode j = body.isBlank() ? null : JSON.readTree(body);
            error = j != null && j.hasNonNull("error") ? j.get("error").asText() : body;
        } catch (Exception e) {
            // an unreadable body still tells its status
        }
        String m = "provider-gateway answered HTTP " + r.getStatus() + (error.isBlank() ? "" : ": " + error);
        return new GatewayCallException(m.length() > 400 ? m.substring(0, 400) : m, r.getStatus(), null);
    }
}
