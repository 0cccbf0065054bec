package io.gpubroker.gateway.rest;

import static io.gpubroker.gateway.proxy.Forwarder.seg;

import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.gateway.proxy.Service;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

/** Offers, templates and offer health: read-only, any authenticated caller, forwarded to inventory-service. */
@Path("/api/v1")
public class InventoryRoutes {
    private final Forwarder fwd;

    public InventoryRoutes(Forwarder fwd) {
        this.fwd = fwd;
    }

    @GET
    @Path("/inventory")
    public Uni<Response> offers(@Context HttpServerRequest req) {
        return fwd.forward(Service.INVENTORY, HttpMethod.GET, "/inventory", req, null);
    }

    @GET
    @Path("/inventory/{id}")
    public Uni<Response> offer(@PathParam("id") String id, @Context HttpServerRequest req) {
        return fwd.forward(Service.INVENTORY, HttpMethod.GET, "/inventory/" + seg(id), req, null);
    }

    @GET
    @Path("/inventory/{id}/compatible-templates")
    public Uni<Response> compatibleTemplates(@PathParam("id") String id, @Context HttpServerRequest req) {
        return fwd.forward(
                Service.INVENTORY, HttpMethod.GET, "/inventory/" + seg(id) + "/compatible-templates", req, null);
    }

    @GET
    @Path("/templates")
    public Uni<Response> templates(@Context HttpServerRequest req) {
        return fwd.forward(Service.INVENTORY, HttpMethod.GET, "/templates", req, null);
    }

    @GET
    @Path("/templates/{hash_id}")
    public Uni<Response> template(@PathParam("hash_id") String hashId, @Context HttpServerRequest req) {
        return fwd.forward(Service.INVENTORY, HttpMethod.GET, "/templates/" + seg(hashId), req, null);
    }

    @GET
    @Path("/offer-health")
    public Uni<Response> offerHealth(@Context HttpServerRequest req) {
        return fwd.forward(Service.INVENTORY, HttpMethod.GET, "/offer-health", req, null);
    }
}
