package io.gpubroker.gateway.auth;

import io.gpubroker.kit.rest.ApiException;
import jakarta.enterprise.context.RequestScoped;

/** This request's caller and id, set by {@link AuthFilter} before the resource method runs. */
@RequestScoped
public class CallContext {
    private Principal principal;
    private String requestId;

    void set(Principal principal, String requestId) {
        this.principal = principal;
        this.requestId = requestId;
    }

    public Principal principal() {
        return principal;
    }

    public String requestId() {
        return requestId;
    }

    /** The consumer id a consumer key is bound to, or null for admin / anonymous callers. */
    public String ownConsumer() {
        return principal instanceof Principal.Consumer c ? c.consumerId() : null;
    }

    /** Admins (and anonymous local mode) act on anyone; a consumer only on itself, else 403. */
    public void requireSelfOrAdmin(String consumerId) {
        String own = ownConsumer();
        if (own != null && !own.equals(consumerId)) {
            throw new ApiException(
                    403, "this API key belongs to consumer " + own + " and cannot act for " + consumerId);
        }
    }
}
