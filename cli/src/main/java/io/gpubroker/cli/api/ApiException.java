package io.gpubroker.cli.api;

import com.fasterxml.jackson.databind.JsonNode;

/** An error answer of the broker API: its status, its {@code error} message and the request id to quote. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String requestId;
    private final transient JsonNode body;

    public ApiException(int status, String error, String requestId, JsonNode body) {
        super(error);
        this.status = status;
        this.requestId = requestId;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String requestId() {
        return requestId;
    }

    /** The whole error body (stale inventory adds error_type, offer_id, provider, retry_suggested, message). */
    public JsonNode body() {
        return body;
    }

    public String errorType() {
        return body == null ? "" : body.path("error_type").asText("");
    }

    public boolean staleInventory() {
        return status == 503 && "stale_inventory".equals(errorType());
    }
}
