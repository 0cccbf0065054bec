package io.gpubroker.gateway.rest;

import static io.gpubroker.gateway.proxy.Forwarder.seg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpubroker.gateway.auth.CallContext;
import io.gpubroker.gateway.proxy.Forwarder;
import io.gpubroker.gateway.proxy.Reply;
import io.gpubroker.gateway.proxy.Service;
import io.gpubroker.kit.rest.ErrorMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.function.Supplier;

/** Whether the caller may act on a session: asks session-service for the session's consumer_id. */
@ApplicationScoped
public class SessionOwnership {
    private final Forwarder fwd;
    private final CallContext call;
    private final ObjectMapper mapper;

    public SessionOwnership(Forwarder fwd, CallContext call, ObjectMapper mapper) {
        this.fwd = fwd;
        this.call = call;
        this.mapper = fwd.mapper();
    }

    public Uni<Reply> fetch(String id, HttpServerRequest req) {
        return fwd.send(Service.SESSION, HttpMethod.GET, "/sessions/" + seg(id), null, req);
    }

    /** True when the fetched session belongs to the caller (always, for admin / anonymous). */
    public boolean mine(Reply r) {
        String own = call.ownConsumer();
        if (own == null) {
            return true;
        }
        JsonNode t = r.tree(mapper);
        return t != null && own.equals(t.path("consumer_id").asText());
    }

    /** Another consumer's session looks exactly like a missing one. */
    public Response notFound(String id) {
        return ErrorMapper.body(404, "session " + id + " not found", call.requestId(), Map.of());
    }

    /** Runs {@code then} only when the caller may act on session {@code id}; else the 404 (or the service's error). */
    public Uni<Response> owned(String id, Supplier<Uni<Response>> then) {
        if (call.ownConsumer() == null) {
            return then.get();
        }
        return fetch(id, null).chain(r -> {
            if (!r.ok()) {
                return Uni.createFrom().item(fwd.respond(r));
            }
            return mine(r) ? then.get() : Uni.createFrom().item(notFound(id));
        });
    }
}
