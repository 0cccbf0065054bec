package io.gpubroker.gateway.rest;

import static io.gpubroker.gateway.proxy.Forwarder.seg;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpubroker.gateway.auth.Access;
import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.gateway.config.GatewayConfig;
import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.gateway.proxy.Service;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.ErrorMapper;
import io.gpubroker.kit.rest.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * Sessions, forwarded to session-service. A consumer key acts only for its own consumer: its id
 * is put into (or checked against) the body and query, lists are filtered, and another
 * consumer's session answers 404 exactly like a missing one (no existence leak).
 */
@Path("/api/v1/sessions")
public class SessionRoutes {
    static final List<String> LIVE = List.of("pending", "provisioning", "running");

    private final Forwarder fwd;
    private final CallContext call;
    private final GatewayConfig.Consumers config;
    private final ObjectMapper mapper;
    private final SessionOwnership ownership;
    /** creates in flight per consumer, so two parallel creates cannot both slip under the cap */
    private final Map<String, AtomicInteger> creating = new ConcurrentHashMap<>();

    public SessionRoutes(Forwarder fwd, CallContext call, GatewayConfig.Consumers config, ObjectMapper mapper, SessionOwnership ownership) {
        this.ownership = ownership;
        this.fwd = fwd;
        this.call = call;
        this.config = config;
        this.mapper = fwd.mapper();
    }

    @POST
    public Uni<Response> create(byte[] body, @Context HttpServerRequest req) {
        ObjectNode json = fwd.object(body, req);
        String own = call.ownConsumer();
        JsonNode named = json.get("consumer_id");
        if (own != null) {
            if (named != null && !named.isNull() && !own.equals(named.asText())) {
                throw new ApiException(403, "this API key belongs to consumer " + own + " and cannot create sessions for " + named.asText());
            }
            json.put("consumer_id", own);
        }
        String consumer = json.path("consumer_id").isTextual() ? Ids.require(json.get("consumer_id").asText(), "consumer_id") : null;
        Supplier<Uni<Response>> send = () -> fwd.send(Service.SESSION, HttpMethod.POST, "/sessions", Buffer.buffer(json.toString()), req)
                .map(fwd::respond);
        if (consumer == null || consumer.isBlank() || config.maxActiveSessions() <= 0) {
            return send.get(); // session-service answers the missing consumer_id with its own 400
        }
        AtomicInteger inFlight = creating.computeIfAbsent(consumer, c -> new AtomicInteger());
        inFlight.incrementAndGet();
        return liveSessions(consumer, req).chain(live -> {
            int limit = config.maxActiveSessions();
            // the other creates in flight count as live: they may all succeed
            if (live + inFlight.get() - 1 >= limit) {
                return Uni.createFrom().item(ErrorMapper.body(409, "consumer " + consumer + " already has " + live
                        + " active sessions (limit " + limit + "): end one with POST /api/v1/sessions/{id}/done before creating another",
                        call.requestId(), Map.of("error_type", "session_limit", "active_sessions", live, "limit", limit)));
            }
            return send.get();
        }).eventually(inFlight::decrementAndGet);
    }

    /** Counts the consumer's pending, provisioning and running sessions (one query per state, in parallel). */
    private Uni<Integer> liveSessions(String consumer, HttpServerRequest req) {
        List<Uni<Integer>> counts = LIVE.stream().map(status -> fwd.send(Service.SESSION, HttpMethod.GET,
                "/sessions?consumer_id=" + seg(consumer) + "&status=" + status + "&limit=" + (config.maxActiveSessions() + 1), null, null)
                .map(r -> {
                    if (!r.ok()) {
                        throw new ApiException(503, "cannot count the consumer's active sessions: session-service answered " + r.status());
                    }
                    JsonNode sessions = r.tree(mapper) == null ? null : r.tree(mapper).get("sessions");
                    int n = 0;
                    if (sessions != null && sessions.isArray()) {
                        for (JsonNode s : sessions) {
                            if (consumer.equals(s.path("consumer_id").asText()) && status.equals(s.path("status").asText())) {
                                n++;
                            }
                        }
                    }
                    return n;
                })).toList();
        return Uni.combine().all().unis(counts).with(Integer.class, l -> l.stream().mapToInt(Integer::intValue).sum());
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
            throw new ApiException(403, "this API key belongs to consumer " + own + " and cannot list sessions of " + asked);
        }
        q.putSingle("consumer_id", own);
        return fwd.send(Service.SESSION, HttpMethod.GET, "/sessions" + Forwarder.query(q), null, req).map(r -> {
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
        return ownership.fetch(id, req).map(r -> r.ok() && !ownership.mine(r) ? ownership.notFound(id) : fwd.respond(r));
    }

    @POST
    @Path("/{id}/done")
    public Uni<Response> done(@PathParam("id") String id, byte[] body, @Context HttpServerRequest req) {
        return owned(id, req, () -> fwd.forward(Service.SESSION, HttpMethod.POST, "/sessions/" + seg(id) + "/done", req, body));
    }

    @POST
    @Path("/{id}/extend")
    public Uni<Response> extend(@PathParam("id") String id, byte[] body, @Context HttpServerRequest req) {
        fwd.object(body, req);
        return owned(id, req, () -> fwd.forward(Service.SESSION, HttpMethod.POST, "/sessions/" + seg(id) + "/extend", req, body));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Response> destroy(@PathParam("id") String id, @Context HttpServerRequest req) {
        return owned(id, req, () -> fwd.forward(Service.SESSION, HttpMethod.DELETE, "/sessions/" + seg(id), req, null));
    }

    @GET
    @Path("/{id}/diagnostics")
    public Uni<Response> diagnostics(@PathParam("id") String id, @Context HttpServerRequest req) {
        return owned(id, req, () -> fwd.forward(Service.SESSION, HttpMethod.GET, "/sessions/" + seg(id) + "/diagnostics", req, null));
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
