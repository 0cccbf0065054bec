package io.gpubroker.session.rest;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.session.client.InventoryClient;
import io.gpubroker.session.service.SessionService;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.ClientWebApplicationException;

/** {@code /sessions}: create and read sessions. */
@Path("/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    private final SessionService sessions;
    private final InventoryClient inventory;

    public SessionResource(SessionService sessions, @RestClient InventoryClient inventory) {
        this.sessions = sessions;
        this.inventory = inventory;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(CreateSessionRequest body, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        SessionService.validate(body);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 128)) {
            throw ApiException.badRequest("Idempotency-Key must be 1-128 characters");
        }
        return inventory.offer(body.offerId())
                .onFailure(ClientWebApplicationException.class).transform(e -> {
                    int status = ((ClientWebApplicationException) e).getResponse().getStatus();
                    return status == 404 ? ApiException.notFound("offer " + body.offerId() + " not found")
                            : new ApiException(503, "inventory unavailable");
                })
                .chain(offer -> {
                    if (!offer.available() || offer.stale()) {
                        throw new ApiException(503, "offer unavailable due to stale inventory", Map.of(
                                "error_type", "stale_inventory", "offer_id", offer.id(), "provider", offer.provider(),
                                "retry_suggested", true,
                                "message", "The selected offer is no longer available. Please refresh inventory and select a different offer."));
                    }
                    return sessions.request(body, offer, idempotencyKey);
                })
                .map(s -> Response.status(201).entity(Map.of("session", SessionView.of(s))).build());
    }

    @GET
    @Path("/{id}")
    public Uni<SessionView> get(@PathParam("id") String id) {
        return sessions.find(id).map(SessionView::of);
    }
}
