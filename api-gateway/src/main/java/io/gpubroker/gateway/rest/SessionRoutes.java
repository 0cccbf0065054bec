package io.gpubroker.gateway.rest;

import static io.gpubroker.gateway.proxy.Forwarder.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpubroker.gateway.auth.Access;
import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.gateway.proxy.Service;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.function.Supplier;

/**
 * Sessions, forwarded to session-service. A consumer key acts only for its own consumer: its id
 * is put into (or checked against) the body and query, lists are filtered, and another
 * consumer's session answers 404 exactly like a missing one (no existence leak).
 */
@Path("/api/v1/sessions")
public class SessionRoutes {
    private final Forwarder fwd;
    private final CallContext call;
    private final ObjectMapper mapper;
    private final SessionOwnership ownership;

    public SessionRoutes(Forwarder fwd, CallContext call, ObjectMapper mapper, SessionOwnership ownership) {
        this.ownership = ownership;
        this.fwd = fwd;
        this.call = call;
        this.mapper = fwd.mapper();
    }

    @POST
    public Uni<Response> create(byte[] body, @Context HttpServerRequest req) {
        ObjectNode json = fwd.object(body, req);
        String own = call.ownConsumer();
        JsonNode named = json.get("consumer_id");
        if (own != null) {
            if (named != null && !named.isNull() && !own.equals(named.asText())) {
                throw new ApiException(
                        403,
                        "this API key belongs to consumer " + own + " and cannot create sessions for "
                                + named.asText());
            }
            json.put("consumer_id", own);
        }
        if (json.path("consumer_id").isTextual()) {
            Ids.require(json.get("consumer_id").asText(), "consumer_id");
        }
        // the per-consumer cap is session-service's: it is checked in the create transaction, right
        // with any number of gateway replicas (its 409 session_limit answer passes through as is)
        return fwd.send(Service.SESSION, HttpMethod.POST, "/sessions", Buffer.buffer(json.toString()), req)
                .map(fwd::respond);
    }

    @GET
    public Uni<Response> list(@Context UriInfo uri, @Context HttpServerRequest req) {
        String own = call.ownConsumer();
        if (own == null) {
            return fwd.forward(Service.SESSION, HttpMethod.GET, "/sessions", req, null);
        }
        MultivaluedMap<String, String> q = new MultivaluedHashMap<>(uri.getQueryParameters());
        String asked = Ids.require(q.getFirst("consumer_id"), "consumer_id");
        if (asked != null && !asked.equals(own)) {
            throw new ApiException(
                    403, "this API key belongs to consumer " + own + " and cannot list sessions of " + asked);
        }
        q.putSingle("consumer_id", own);
        return fwd.send(Service.SESSION, HttpMethod.GET, "/sessions" + Forwarder.query(q), null, req)
                .map(r -> {
                    JsonNode tree = r.ok() ? r.tree(mapper) : null;
                    if (tree == null || !tree.path("sessions").isArray()) {
                        return fwd.respond(r);
                    }
                    // defence in depth: whatever the service returned, a consumer sees only its own sessions
                    ArrayNode kept = mapper.createArrayNode();
                    tree.get("sessions").forEach(s -> {
                        if (own.equals(s.path("consumer_id").asText())) {
                            kept.add(s);
                        }
                    });
                    ObjectNode out = ((ObjectNode) tree).set("sessions", kept);
                    out.put("count", kept.size());
                    return fwd.json(r.status(), out);
                });
    }

    @GET
    @Path("/{id}")
    public Uni<Response> get(@PathParam("id") String id, @Context HttpServerRequest req) {
        Ids.require(id, "session_id");
        return ownership
                .fetch(id, req)
                .map(r -> r.ok() && !ownership.mine(r) ? ownership.notFound(id) : fwd.respond(r));
    }

    @POST
    @Path("/{id}/done")
    public Uni<Response> done(@PathParam("id") String id, byte[] body, @Context HttpServerRequest req) {
        return owned(
                id,
                req,
                () -> fwd.forward(Service.SESSION, HttpMethod.POST, "/sessions/" + seg(id) + "/done", req, body));
    }

    @POST
    @Path("/{id}/extend")
    public Uni<Response> extend(@PathParam("id") String id, byte[] body, @Context HttpServerRequest req) {
        fwd.object(body, req);
        return owned(
                id,
                req,
                () -> fwd.forward(Service.SESSION, HttpMethod.POST, "/sessions/" + seg(id) + "/extend", req, body));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> destroy(@PathParam("id") String id, @Context HttpServerRequest req) {
        return owned(id, req, () -> fwd.forward(Service.SESSION, HttpMethod.DELETE, "/sessions/" + seg(id), req, null));
    }

    @GET
    @Path("/{id}/diagnostics")
    public Uni<Response> diagnostics(@PathParam("id") String id, @Context HttpServerRequest req) {
        return owned(
                id,
                req,
                () -> fwd.forward(Service.SESSION, HttpMethod.GET, "/sessions/" + seg(id) + "/diagnostics", req, null));
    }

    /** The agent's heartbeat: authenticated by the session's agent token in the body, not by an API key. */
    @POST
    @Path("/{id}/heartbeat")
    @Access(Access.Level.PUBLIC)
    public Uni<Response> heartbeat(@PathParam("id") String id, byte[] body, @Context HttpServerRequest req) {
        Ids.require(id, "session_id");
        fwd.object(body, req);
        return fwd.forward(Service.SESSION, HttpMethod.POST, "/sessions/" + seg(id) + "/heartbeat", req, body);
    }

    private Uni<Response> owned(String id, HttpServerRequest req, Supplier<Uni<Response>> then) {
        Ids.require(id, "session_id");
        return ownership.owned(id, then);
    }
}
