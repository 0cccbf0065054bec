package io.gpubroker.gateway.rest;

import io.gpubroker.gateway.auth.Access;
import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.gateway.proxy.Service;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** Costs, forwarded to billing-service; a consumer key sees only its own consumer's costs. */
@Path("/api/v1/costs")
public class CostRoutes {
    private final Forwarder fwd;
    private final CallContext call;
    private final SessionOwnership ownership;

    public CostRoutes(Forwarder fwd, CallContext call, SessionOwnership ownership) {
        this.fwd = fwd;
        this.call = call;
        this.ownership = ownership;
    }

    @GET
    public Uni<Response> costs(@Context UriInfo uri, @Context HttpServerRequest req) {
        String sessionId = Ids.require(uri.getQueryParameters().getFirst("session_id"), "session_id");
        if (sessionId != null && call.ownConsumer() != null) {
            return ownership.owned(sessionId, () -> scoped("/costs", uri, req));
        }
        return scoped("/costs", uri, req);
    }

    @GET
    @Path("/summary")
    public Uni<Response> summary(@Context UriInfo uri, @Context HttpServerRequest req) {
        return scoped("/costs/summary", uri, req);
    }

    /**
     * Every session and instance charge of a consumer and period as CSV (billing's export); a consumer
     * key gets only its own consumer's, the admin key any consumer's or all.
     */
    @GET
    @Path("/export")
    public Uni<Response> export(@Context UriInfo uri, @Context HttpServerRequest req) {
        return scoped("/costs/export", uri, req)
                .map(r -> r.getStatus() == 200
                        ? Response.fromResponse(r)
                                .header("Content-Disposition", "attachment; filename=\"costs.csv\"")
                                .build()
                        : r);
    }

    /** Provider billing reconciliation (the broker's ledger against what providers charged): operators only. */
    @GET
    @Path("/drift")
    @Access(Access.Level.ADMIN)
    public Uni<Response> drift(@Context HttpServerRequest req) {
        return fwd.forward(Service.BILLING, HttpMethod.GET, "/costs/drift", req, null);
    }

    private Uni<Response> scoped(String path, UriInfo uri, HttpServerRequest req) {
        String own = call.ownConsumer();
        if (own == null) {
            return fwd.forward(Service.BILLING, HttpMethod.GET, path, req, null);
        }
        MultivaluedMap<String, String> q = new MultivaluedHashMap<>(uri.getQueryParameters());
        String asked = Ids.require(q.getFirst("consumer_id"), "consumer_id");
        if (asked != null && !asked.equals(own)) {
            throw new ApiException(
                    403, "this API key belongs to consumer " + own + " and cannot read costs of " + asked);
        }
        q.putSingle("consumer_id", own);
        return fwd.send(Service.BILLING, HttpMethod.GET, path + Forwarder.query(q), null, req)
                .map(fwd::respond);
    }
}
