package io.gpubroker.gateway.rest;

import static io.gpubroker.gateway.proxy.Forwarder.seg;

import io.gpubroker.gateway.auth.Access;
import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.gateway.consumer.ConsumerService;
import io.gpubroker.gateway.consumer.ConsumerViews;
import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.gateway.proxy.Service;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Consumers, their API keys and budgets: managed with the admin key; a consumer may read itself. */
@Path("/api/v1/consumers")
@Produces(MediaType.APPLICATION_JSON)
public class ConsumerResource {
    private final ConsumerService consumers;
    private final CallContext call;
    private final Forwarder fwd;

    public ConsumerResource(ConsumerService consumers, CallContext call, Forwarder fwd) {
        this.consumers = consumers;
        this.call = call;
        this.fwd = fwd;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Access(Access.Level.ADMIN)
    public Uni<Response> create(ConsumerViews.CreateConsumer body) {
        return consumers.create(body).map(k -> Response.status(201).entity(k).build());
    }

    @GET
    @Access(Access.Level.ADMIN)
    public Uni<ConsumerViews.ConsumerList> list() {
        return consumers.list();
    }

    @GET
    @Path("/{id}")
    public Uni<ConsumerViews.ConsumerView> get(@PathParam("id") String id) {
        Ids.require(id, "consumer_id");
        call.requireSelfOrAdmin(id);
        return consumers.get(id);
    }

    /** Rotation: a new key beside the old ones; revoke the old key once clients have moved. */
    @POST
    @Path("/{id}/keys")
    @Access(Access.Level.ADMIN)
    public Uni<Response> newKey(@PathParam("id") String id) {
        Ids.require(id, "consumer_id");
        return consumers.rotate(id).map(k -> Response.status(201).entity(k).build());
    }

    @DELETE
    @Path("/{id}/keys/{key_id}")
    @Access(Access.Level.ADMIN)
    public Uni<ConsumerViews.KeyView> revoke(@PathParam("id") String id, @PathParam("key_id") String keyId) {
        Ids.require(id, "consumer_id");
        Ids.require(keyId, "key_id");
        return consumers.revoke(id, keyId);
    }

    @PUT
    @Path("/{id}/budget")
    @Access(Access.Level.ADMIN)
    public Uni<Response> setBudget(@PathParam("id") String id, byte[] body, @Context HttpServerRequest req) {
        Ids.require(id, "consumer_id");
        fwd.object(body, req);
        Buffer json = Buffer.buffer(body);
        return known(id)
                .chain(() -> fwd.send(Service.BILLING, HttpMethod.PUT, "/budgets/" + seg(id), json, req))
                .map(fwd::respond);
    }

    @GET
    @Path("/{id}/budget")
    public Uni<Response> budget(@PathParam("id") String id, @Context HttpServerRequest req) {
        Ids.require(id, "consumer_id");
        call.requireSelfOrAdmin(id);
        return fwd.forward(Service.BILLING, HttpMethod.GET, "/budgets/" + seg(id), req, null);
    }

    /** The consumer's policy; session-service stores and enforces it (in its create transaction). */
    @PUT
    @Path("/{id}/policy")
    @Access(Access.Level.ADMIN)
    public Uni<Response> setPolicy(@PathParam("id") String id, byte[] body, @Context HttpServerRequest req) {
        Ids.require(id, "consumer_id");
        fwd.object(body, req);
        Buffer json = Buffer.buffer(body);
        return known(id)
                .chain(() -> fwd.send(Service.SESSION, HttpMethod.PUT, "/policies/" + seg(id), json, req))
                .map(fwd::respond);
    }

    @GET
    @Path("/{id}/policy")
    public Uni<Response> policy(@PathParam("id") String id, @Context HttpServerRequest req) {
        Ids.require(id, "consumer_id");
        call.requireSelfOrAdmin(id);
        return fwd.forward(Service.SESSION, HttpMethod.GET, "/policies/" + seg(id), req, null);
    }

    @DELETE
    @Path("/{id}/policy")
    @Access(Access.Level.ADMIN)
    public Uni<Response> removePolicy(@PathParam("id") String id, @Context HttpServerRequest req) {
        Ids.require(id, "consumer_id");
        return fwd.forward(Service.SESSION, HttpMethod.DELETE, "/policies/" + seg(id), req, null);
    }

    private Uni<Void> known(String id) {
        return consumers.exists(id).map(e -> {
            if (!e) {
                throw ApiException.notFound("consumer " + id + " not found");
            }
            return null;
        });
    }
}
