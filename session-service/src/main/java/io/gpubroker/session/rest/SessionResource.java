package io.gpubroker.session.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.gpubroker.kit.rest.JsonBodies;
import io.gpubroker.session.client.BillingClient;
import io.gpubroker.session.client.InventoryClient;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.service.SessionService;
import io.smallrye.mutiny.Uni;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

    public SessionResource(
            SessionService sessions,
            @RestClient InventoryClient inventory,
            @RestClient BillingClient billing,
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
        CreateSessionRequest.validate(body);
        // both travel on to inventory and billing: a value they would refuse must be this caller's 400, not their 503
        Ids.require(body.consumerId(), "consumer_id");
        Ids.text(body.offerId(), "offer_id", 256);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 128)) {
            throw ApiException.badRequest("Idempotency-Key must be 1-128 characters");
        }
        return sessions.byIdempotencyKey(body.consumerId(), idempotencyKey).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(replay(existing));
            }
            // a concurrent create with the same key may still win: create() checks again under the consumer's lock
            return offer(body.offerId())
                    .call(o -> budget(body.consumerId(), o, body.reservationHours()))
                    .chain(o -> sessions.create(body.toNewSession(), o, idempotencyKey))
                    .map(c -> c.replay()
                            ? replay(c.session())
                            : Response.status(201)
                                    .entity(new SessionResponses.Created(
                                            SessionView.of(c.session()), c.privateKey(), c.agentToken()))
                                    .build());
        });
    }

    private static Response replay(Session existing) {
        return Response.ok(new SessionResponses.Replay(
                        SessionView.of(existing),
                        true,
                        "this session was created by an earlier request with the same Idempotency-Key;"
                                + " its private key was returned only in that first response"))
                .build();
    }

    private Uni<Offer> offer(String offerId) {
        return inventory
                .offer(offerId)
                .onFailure(ClientWebApplicationException.class)
                .transform(e -> {
                    int status =
                            ((ClientWebApplicationException) e).getResponse().getStatus();
                    return status == 404
                            ? ApiException.notFound("offer " + offerId + " not found")
                            : new ApiException(503, "inventory unavailable; try again");
                })
                .onFailure(e -> !(e instanceof ApiException))
                .transform(e -> new ApiException(503, "inventory unavailable; try again"))
                .invoke(o -> {
                    if (!o.available() || o.stale() || o.suppressed()) {
                        throw new ApiException(
                                503,
                                "offer unavailable due to stale inventory",
                                Map.of(
                                        "error_type",
                                        "stale_inventory",
                                        "offer_id",
                                        o.id(),
                                        "provider",
                                        o.provider(),
                                        "retry_suggested",
                                        true,
                                        "message",
                                        "The selected offer is no longer available. Please refresh inventory and select a different offer."));
                    }
                });
    }

    private Uni<Void> budget(String consumerId, Offer o, int hours) {
        if (!budgetCheck) {
            return Uni.createFrom().voidItem();
        }
        return billing.check(new BillingClient.Check(consumerId, o.costFor(hours)))
                .onFailure()
                .transform(e -> new ApiException(503, "billing unavailable: the budget cannot be checked; try again"))
                .invoke(v -> {
                    if (!v.allowed()) {
                        throw new ApiException(
                                402,
                                "budget exceeded: this session could cost up to "
                                        + o.costFor(hours).toPlainString() + " USD but only "
                                        + (v.remaining() == null
                                                ? "0"
                                                : v.remaining().toPlainString()) + " USD remain this month",
                                Map.of("error_type", "budget_exceeded"));
                    }
                })
                .replaceWithVoid();
    }

    static final int MAX_PAGE = 1000;

    @GET
    public Uni<SessionResponses.Listing> list(
            @QueryParam("consumer_id") String consumerId,
            @QueryParam("status") String status,
            @QueryParam("provider") String provider,
            @QueryParam("limit") String limit) {
        int n = 100;
        if (limit != null) {
            long asked;
            try {
                asked = Long.parseLong(limit);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit must be an integer");
            }
            if (asked < 1) {
                throw ApiException.badRequest("limit must be a positive integer");
            }
            // the public API only asks for a positive limit: more than a page is served as one page
            n = (int) Math.min(asked, MAX_PAGE);
        }
        SessionStatus wanted = null;
        if (status != null) {
            try {
                wanted = SessionStatus.valueOf(status);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(
                        "status must be one of pending, provisioning, running, stopping, stopped, failed");
            }
        }
        Ids.require(blankToNull(consumerId), "consumer_id");
        Ids.text(provider, "provider", 64);
        return sessions.list(blankToNull(consumerId), wanted, blankToNull(provider), n)
                .map(list -> {
                    List<SessionView> views = list.stream().map(SessionView::of).toList();
                    return new SessionResponses.Listing(views, views.size());
                });
    }

    @GET
    @Path("/{id}")
    public Uni<SessionResponses.Detail> get(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.find(id)
                .chain(s -> sessions.attempts(id)
                        .map(rows -> new SessionResponses.Detail(
                                SessionView.of(s),
                                rows.stream()
                                        .map(r -> new SessionResponses.Attempt(
                                                r.attempt(),
                                                r.offerId(),
                                                r.provider(),
                                                r.outcome() == null ? "" : r.outcome(),
                                                r.detail(),
                                                r.at()))
                                        .toList())));
    }

    @POST
    @Path("/{id}/done")
    public Uni<SessionResponses.Ending> done(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.end(id, StopReason.done)
                .map(s -> new SessionResponses.Ending("session shutdown initiated", s.id, s.status.name()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<SessionResponses.Ending> delete(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.end(id, StopReason.deleted)
                .map(s -> new SessionResponses.Ending("session destroyed", s.id, s.status.name()));
    }

    /** The body of {@code POST /sessions/{id}/extend}. */
    public record ExtendRequest(
            @JsonProperty("additional_hours") Integer additionalHours) {}

    @POST
    @Path("/{id}/extend")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<SessionResponses.Extended> extend(@PathParam("id") String id, String raw) {
        Ids.require(id, "session_id");
        ExtendRequest body = JsonBodies.read(raw, ExtendRequest.class);
        if (body.additionalHours() == null) {
            throw ApiException.badRequest("additional_hours is required");
        }
        if (body.additionalHours() < 1 || body.additionalHours() > 12) {
            throw ApiException.badRequest("additional_hours must be between 1 and 12");
        }
        return sessions.extend(id, body.additionalHours())
                .map(s -> new SessionResponses.Extended("session extended", s.id, s.lease.expiresAt.toString()));
    }

    @GET
    @Path("/{id}/diagnostics")
    public Uni<SessionResponses.Diagnostics> diagnostics(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.find(id).map(s -> {
            if (s.status != SessionStatus.running) {
                throw ApiException.badRequest("session " + id + " is not running (" + s.status + ")");
            }
            Instant now = sessions.now();
            boolean entrypoint = s.terms.launchMode == LaunchMode.entrypoint;
            return new SessionResponses.Diagnostics(
                    s.id,
                    s.status.name(),
                    s.offer.provider,
                    s.offer.gpuType,
                    s.offer.gpuCount,
                    s.host.sshHost,
                    s.host.sshPort,
                    s.host.sshUser,
                    LaunchMode.wire(s.terms.launchMode),
                    s.host.apiEndpoint == null ? "" : s.host.apiEndpoint,
                    s.lease.createdAt.toString(),
                    s.lease.expiresAt.toString(),
                    human(Duration.between(s.lease.startedAt == null ? s.lease.createdAt : s.lease.startedAt, now)),
                    human(Duration.between(now, s.lease.expiresAt)),
                    true,
                    s.lease.gpuUtilPct,
                    s.lease.lastActivityAt == null ? null : s.lease.lastActivityAt.toString(),
                    s.lease.idleWarnedAt != null,
                    "SSH was verified by the broker (handshake, echo, nvidia-smi) before the session became running."
                            + (entrypoint
                                    ? " The app's API answered health at " + s.host.apiEndpoint
                                            + " first (host verified " + s.saga.hostVerifiedAt + ", app launched "
                                            + s.saga.appLaunchedAt + ")."
                                    : ""));
        });
    }

    /** The body of the agent heartbeat. */
    public record Heartbeat(
            @JsonProperty("agent_token") String agentToken,
            @JsonProperty("gpu_util_pct") Integer gpuUtilPct,
            @JsonProperty("idle_seconds") Integer idleSeconds) {}

    @POST
    @Path("/{id}/heartbeat")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<SessionResponses.HeartbeatAck> heartbeat(@PathParam("id") String id, String raw) {
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
                .map(s -> new SessionResponses.HeartbeatAck(s.id, s.status.name(), s.lease.expiresAt.toString()));
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
}
