package io.gpubroker.billing.reconcile;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;

/** The provider billing endpoints reconciliation reads (built per base URL with {@code QuarkusRestClientBuilder}). */
public final class ProviderBillingClients {
    private ProviderBillingClients() {
    }

    /** Vast.ai: {@code GET /invoices} — one charge row per instance. */
    @Produces(MediaType.APPLICATION_JSON)
    public interface Vast {
        @GET
        @Path("/invoices/")
        Uni<JsonNode> invoices(@HeaderParam("Authorization") String bearer);
    }

    /** Rackrr: {@code GET /wallets/transactions} — debits carry the {@code vm_id} they bill. */
    @Produces(MediaType.APPLICATION_JSON)
    public interface Rackrr {
        @GET
        @Path("/wallets/transactions")
        Uni<JsonNode> transactions(@HeaderParam("Authorization") String bearer);
    }

    /** Barrack: {@code GET /instances/{id}/billing/} — total cost per instance, also after delete. */
    @Produces(MediaType.APPLICATION_JSON)
    public interface Barrack {
        @GET
        @Path("/instances/{id}/billing/")
        Uni<JsonNode> billing(@PathParam("id") String id, @HeaderParam("X-API-Key") String apiKey);
    }
}
