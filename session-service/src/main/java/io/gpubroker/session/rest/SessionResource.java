package io.gpubroker.session.rest;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.gpubroker.kit.rest.JsonBodies;
import io.gpubroker.session.client.BillingClient;
import io.gpubroker.session.client.InventoryClient;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.service.SessionService;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.ClientWebApplicationException;

/** {@code /sessions}: the session lifecycle of the broker API. */
@Path("/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    private final SessionService sessions;
    private final InventoryClient inventory;
    private final BillingClient billing;
    private final boolean budgetCheck;

    public SessionResource(SessionService sessions, @RestClient InventoryClient inventory, @RestClient BillingClient billing,
                           @ConfigProperty(name = "broker.budget-check.enabled", defaultValue = "true") boolean budgetCheck) {
        this.sessions = sessions;
        this.inventory = inventory;
        this.billing = billing;
        this.budgetCheck = budgetCheck;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(String raw, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        CreateSessionRequest body = JsonBodies.read(raw, CreateSessionRequest.class);
        SessionService.validate(body);
        // both travel on to inventory and billing: a value they would refuse must be this caller's 400, not their 503
        Ids.require(body.consumerId(), "consumer_id");
        Ids.text(body.offerId(), "offer_id", 256);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 128)) {
            throw ApiException.badRequest("Idempotency-Key must be 1-128 characters");
        }
        return sessions.byIdempotencyKey(body.consumerId(), idempotencyKey).chain(existing -> {
            if (existing != null) {
                Map<String, Object> replay = new LinkedHashMap<>();
                replay.put("session", SessionView.of(existing));
                replay.put("idempotent_replay", true);
                replay.put("note", "this session was created by an earlier request with the same Idempotency-Key;"
                        + " its private key was returned only in that first response");
                return Uni.createFrom().item(Response.ok(replay).build());
            }
            return offer(body.offerId())
                    .call(o -> budget(body.consumerId(), o, body.reservationHours()))
                    .chain(o -> sessions.create(body, o, idempotencyKey))
                    .map(c -> {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("session", SessionView.of(c.session()));
                        out.put("ssh_private_key", c.privateKey());
                        out.put("agent_token", c.agentToken());
                        return Response.status(201).entity(out).build();
                    });
        });
    }

    private Uni<Offer> offer(String offerId) {
        return inventory.offer(offerId)
                .onFailure(ClientWebApplicationException.class).transform(e -> {
                    int status = ((ClientWebApplicationException) e).getResponse().getStatus();
                    return status == 404 ? ApiException.notFound("offer " + offerId + " not found")
                            : new ApiException(503, "inventory unavailable; try again");
                })
                .onFailure(e -> !(e instanceof ApiException)).transform(e -> new ApiException(503, "inventory unavailable; try again"))
                .invoke(o -> {
                    if (!o.available() || o.stale() || o.suppressed()) {
                        throw new ApiException(503, "offer unavailable due to stale inventory", Map.of(
                                "error_type", "stale_inventory", "offer_id", o.id(), "provider", o.provider(),
                                "retry_suggested", true,
                                "message", "The selected offer is no longer available. Please refresh inventory and select a different offer."));
                    }
                });
    }

    private Uni<Void> budget(String consumerId, Offer o, int hours) {
        if (!budgetCheck) {
            return Uni.createFrom().voidItem();
        }
        return billing.check(new BillingClient.Check(consumerId, SessionService.worstCase(o, hours)))
                .onFailure().transform(e -> new ApiException(503, "billing unavailable: the budget cannot be checked; try again"))
                .invoke(v -> {
                    if (!v.allowed()) {
                        throw new ApiException(402, "budget exceeded: this session could cost up to "
                                + SessionService.worstCase(o, hours).toPlainString() + " USD but only "
                                + (v.remaining() == null ? "0" : v.remaining().toPlainString()) + " USD remain this month",
                                Map.of("error_type", "budget_exceeded"));
                    }
                }).replaceWithVoid();
    }

    @GET
    public Uni<Map<String, Object>> list(@QueryParam("consumer_id") String consumerId, @QueryParam("status") String status,
                                         @QueryParam("provider") String provider, @QueryParam("limit") String limit) {
        int n = 100;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit must be an integer");
            }
            if (n < 1 || n > 1000) {
                throw ApiException.badRequest("limit must be between 1 and 1000");
            }
        }
        if (status != null) {
            try {
                SessionStatus.valueOf(status);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("status must be one of pending, provisioning, running, stopping, stopped, failed");
            }
        }
        Ids.require(blankToNull(consumerId), "consumer_id");
        Ids.text(provider, "provider", 64);
        return sessions.list(blankToNull(consumerId), status, blankToNull(provider), n).map(list -> {
            List<SessionView> views = list.stream().map(SessionView::of).toList();
            return Map.of("sessions", views, "count", views.size());
        });
    }

    @GET
    @Path("/{id}")
    public Uni<Map<String, Object>> get(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.find(id).chain(s -> sessions.attempts(id).map(rows -> {
            Map<String, Object> out = new LinkedHashMap<>(asMap(SessionView.of(s)));
            out.put("attempts", rows.stream().map(r -> {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("attempt", r[0]);
                a.put("offer_id", r[1]);
                a.put("provider", r[2]);
                a.put("outcome", r[3] == null ? "" : r[3]);
                a.put("detail", r[5]);
                a.put("at", r[4].toString());
                return a;
            }).toList());
            return out;
        }));
    }

    @POST
    @Path("/{id}/done")
    public Uni<Map<String, Object>> done(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.end(id, "done").map(s -> Map.of("message", "session shutdown initiated", "session_id", s.id,
                "status", s.status.name()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<Map<String, Object>> delete(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.end(id, "deleted").map(s -> Map.of("message", "session destroyed", "session_id", s.id,
                "status", s.status.name()));
    }

    /** The body of {@code POST /sessions/{id}/extend}. */
    public record ExtendRequest(@JsonProperty("additional_hours") Integer additionalHours) {
    }

    @POST
    @Path("/{id}/extend")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> extend(@PathParam("id") String id, String raw) {
        Ids.require(id, "session_id");
        ExtendRequest body = JsonBodies.read(raw, ExtendRequest.class);
        if (body.additionalHours() == null) {
            throw ApiException.badRequest("additional_hours is required");
        }
        if (body.additionalHours() < 1 || body.additionalHours() > 12) {
            throw ApiException.badRequest("additional_hours must be between 1 and 12");
        }
        return sessions.extend(id, body.additionalHours()).map(s -> Map.of("message", "session extended",
                "session_id", s.id, "new_expires_at", s.expiresAt.toString()));
    }

    @GET
    @Path("/{id}/diagnostics")
    public Uni<Map<String, Object>> diagnostics(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.find(id).map(s -> {
            if (s.status != SessionStatus.running) {
                throw ApiException.badRequest("session " + id + " is not running (" + s.status + ")");
            }
            Instant now = sessions.now();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("session_id", s.id);
            d.put("status", s.status.name());
            d.put("provider", s.provider);
            d.put("gpu_type", s.gpuType);
            d.put("gpu_count", s.gpuCount);
            d.put("ssh_host", s.sshHost);
            d.put("ssh_port", s.sshPort);
            d.put("ssh_user", s.sshUser);
            d.put("launch_mode", s.launchMode);
            d.put("api_endpoint", s.apiEndpoint == null ? "" : s.apiEndpoint);
            d.put("created_at", s.createdAt.toString());
            d.put("expires_at", s.expiresAt.toString());
            d.put("uptime", human(Duration.between(s.startedAt == null ? s.createdAt : s.startedAt, now)));
            d.put("time_to_expiry", human(Duration.between(now, s.expiresAt)));
            d.put("ssh_available", true);
            d.put("gpu_util_pct", s.gpuUtilPct);
            d.put("last_activity_at", s.lastActivityAt == null ? null : s.lastActivityAt.toString());
            d.put("idle_warning", s.idleWarnedAt != null);
            d.put("note", "SSH was verified by the broker (handshake, echo, nvidia-smi) before the session became running."
                    + ("entrypoint".equals(s.launchMode) ? " The app's API answered health at " + s.apiEndpoint
                    + " first (host verified " + s.hostVerifiedAt + ", app launched " + s.appLaunchedAt + ")." : ""));
            return d;
        });
    }

    /** The body of the agent heartbeat. */
    public record Heartbeat(@JsonProperty("agent_token") String agentToken, @JsonProperty("gpu_util_pct") Integer gpuUtilPct,
                            @JsonProperty("idle_seconds") Integer idleSeconds) {
    }

    @POST
    @Path("/{id}/heartbeat")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> heartbeat(@PathParam("id") String id, String raw) {
        Ids.require(id, "session_id");
        Heartbeat body = JsonBodies.read(raw, Heartbeat.class);
        if (body.agentToken() == null || body.agentToken().isBlank()) {
            throw new ApiException(401, "agent_token is required");
        }
        if (body.gpuUtilPct() != null && (body.gpuUtilPct() < 0 || body.gpuUtilPct() > 100)) {
            throw ApiException.badRequest("gpu_util_pct must be between 0 and 100");
        }
        if (body.idleSeconds() != null && body.idleSeconds() < 0) {
            throw ApiException.badRequest("idle_seconds must not be negative");
        }
        return sessions.heartbeat(id, body.agentToken(), body.gpuUtilPct(), body.idleSeconds())
                .map(s -> Map.of("session_id", s.id, "status", s.status.name(), "expires_at", s.expiresAt.toString()));
    }

    static String human(Duration d) {
        if (d.isNegative()) {
            return "0m";
        }
        long h = d.toHours();
        long m = d.toMinutesPart();
        return h > 0 ? h + "h " + m + "m" : m + "m";
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(SessionView v) {
        return io.gpubroker.contracts.EventCatalog.mapper().convertValue(v, Map.class);
    }

}
