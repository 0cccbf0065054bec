package io.gpubroker.session.rest;

import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.gpubroker.kit.rest.JsonBodies;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.ConsumerPolicy;
import io.gpubroker.session.repository.PolicyRepository;
import io.gpubroker.session.service.SessionService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** {@code /policies/{consumer_id}}: the per-consumer policy the admin sets (through the api-gateway). */
@Path("/policies/{consumer_id}")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {
    private final PolicyRepository policies;
    private final SessionService sessions;
    private final SessionConfig cfg;

    public PolicyResource(PolicyRepository policies, SessionService sessions, SessionConfig cfg) {
        this.policies = policies;
        this.sessions = sessions;
        this.cfg = cfg;
    }

    @GET
    public Uni<ConsumerPolicy> get(@PathParam("consumer_id") String consumerId) {
        Ids.require(consumerId, "consumer_id");
        return policies.find(consumerId)
                .onItem()
                .ifNull()
                .failWith(() -> ApiException.notFound("consumer " + consumerId + " has no policy"));
    }

    /** Replaces the whole policy; a field left out (or null) has no limit. */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ConsumerPolicy> put(@PathParam("consumer_id") String consumerId, String raw) {
        Ids.require(consumerId, "consumer_id");
        ConsumerPolicy body = JsonBodies.read(raw, ConsumerPolicy.class);
        ConsumerPolicy.validate(body, cfg.failover().providers());
        if (body.consumerId() != null && !body.consumerId().equals(consumerId)) {
            throw ApiException.badRequest("consumer_id in the body differs from the path");
        }
        return policies.put(body.of(consumerId, sessions.now()));
    }

    @DELETE
    public Uni<Map<String, Object>> delete(@PathParam("consumer_id") String consumerId) {
        Ids.require(consumerId, "consumer_id");
        return policies.delete(consumerId).map(had -> {
            if (!had) {
                throw ApiException.notFound("consumer " + consumerId + " has no policy");
            }
            return Map.of("consumer_id", consumerId, "message", "policy removed: no per-consumer limits apply");
        });
    }
}
