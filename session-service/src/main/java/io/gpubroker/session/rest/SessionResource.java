package io.gpubroker.session.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.gpubroker.kit.rest.JsonBodies;
import io.gpubroker.session.client.InventoryClient;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.ConsumerPolicy;
import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Requirements;
import io.gpubroker.session.domain.Session;
import io.gpubroker.session.domain.SessionStatus;
import io.gpubroker.session.domain.StopReason;
import io.gpubroker.session.service.BudgetGate;
import io.gpubroker.session.service.OfferFinder;
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
import java.util.Set;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.ClientWebApplicationException;

/** {@code /sessions}: the session lifecycle of the broker API. */
@Path("/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    private final SessionService sessions;
    private final InventoryClient inventory;
    private final BudgetGate budget;
    private final OfferFinder finder;
    private final SessionConfig cfg;

    public SessionResource(
            SessionService sessions,
            @RestClient InventoryClient inventory,
            BudgetGate budget,
            OfferFinder finder,
            SessionConfig cfg) {
        this.sessions = sessions;
        this.inventory = inventory;
        this.budget = budget;
        this.finder = finder;
        this.cfg = cfg;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(String raw, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        CreateSessionRequest body = JsonBodies.read(raw, CreateSessionRequest.class);
        CreateSessionRequest.validate(body, cfg.failover().providers());
        // both travel on to inventory and billing: a value they would refuse must be this caller's 400, not their 503
        Ids.require(body.consumerId(), "consumer_id");
        if (body.offerId() != null) {
            Ids.text(body.offerId(), "offer_id", 256);
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 128)) {
            throw ApiException.badRequest("Idempotency-Key must be 1-128 characters");
        }
        return sessions.byIdempotencyKey(body.consumerId(), idempotencyKey).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(replay(existing));
            }
            return sessions.policy(body.consumerId()).chain(policy -> create(body, policy, idempotencyKey));
        });
    }

    private Uni<Response> create(CreateSessionRequest body, ConsumerPolicy policy, String idempotencyKey) {
        int hours;
        if (body.reservationHours() != null) {
            hours = body.reservationHours();
        } else if (policy != null && policy.defaultTtlHours() != null) {
            hours = policy.defaultTtlHours();
        } else {
            throw ApiException.badRequest(
                    "reservation_hours is required (the consumer's policy sets no default_ttl_hours)");
        }
        Uni<Offer> chosen = body.requirements() != null
                ? choose(body, policy, hours)
                : offer(body.offerId()).call(o -> budget(body.consumerId(), o, hours));
        // a concurrent create with the same key may still win, and the policy is enforced for good there:
        // create() checks both again under the consumer's lock
        return chosen.chain(o -> sessions.create(body.toNewSession(hours), o, idempotencyKey))
                .map(c -> c.replay()
                        ? replay(c.session())
                        : Response.status(201)
                                .entity(new SessionResponses.Created(
                                        SessionView.of(c.session()), c.privateKey(), c.agentToken()))
                                .build());
    }

    /**
     * The best offer for a requirements create: ranked matches, the first one inventory still holds
     * and the budget covers. None: 409 (nothing matches now) or 402 (only the budget stood in the way).
     */
    private Uni<Offer> choose(CreateSessionRequest body, ConsumerPolicy policy, int hours) {
        Requirements r = body.requirements();
        boolean entrypoint = LaunchMode.entrypoint.name().equals(body.launchMode());
        return finder.matching(r)
                .onFailure()
                .transform(e -> new ApiException(503, "inventory unavailable; try again"))
                .map(list -> entrypoint
                        ? list.stream()
                                .filter(o -> cfg.app().portProviders().contains(o.provider()))
                                .toList()
                        : list)
                .chain(list -> finder.firstAffordable(
                                list,
                                Set.of(),
                                null,
                                // what the policy forbids outright is never chosen; its in-flight limits are
                                // checked when the session is stored, under the consumer's lock
                                o -> policy == null
                                        || (policy.providerAllowed(o.provider()) && policy.gpuTypeAllowed(o.gpuType())),
                                body.consumerId(),
                                hours)
                        .map(p -> {
                            if (p.offer() != null) {
                                return p.offer();
                            }
                            if (p.refusedByBudget() > 0 && p.refusedByBudget() == p.looked()) {
                                throw new ApiException(
                                        402,
                                        "budget exceeded: none of the " + p.looked()
                                                + " best offers matching the requirements fits the budget ("
                                                + p.lastRefusal()
                                                + ")",
                                        Map.of("error_type", "budget_exceeded"));
                            }
                            throw new ApiException(
                                    409,
                                    list.isEmpty()
                                            ? "no offer matches the requirements right now; widen them or try later"
                                            : list.size() + " offers match the requirements but none of the "
                                                    + p.looked() + " best is available any more; try again",
                                    Map.of("error_type", "no_matching_offer", "matching_offers", list.size()));
                        }));
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
                    if (!o.usable()) {
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
        return budget.check(consumerId, o, hours)
                .onFailure()
                .transform(e -> new ApiException(503, "billing unavailable: the budget cannot be checked; try again"))
                .invoke(v -> {
                    if (!v.allowed()) {
                        throw new ApiException(
                                402,
                                "budget exceeded: this session could cost up to "
                                        + v.cost().toPlainString() + " USD but only "
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
        // ending what already ended is a conflict, not a second success (a DELETE stays idempotent)
        return sessions.find(id)
                .invoke(s -> {
                    if (s.status == SessionStatus.stopped || s.status == SessionStatus.failed) {
                        throw ApiException.conflict("session " + id + " already ended (" + s.status + ")");
                    }
                })
                .chain(() -> sessions.end(id, StopReason.done))
                .map(s -> new SessionResponses.Ending(
                        s.status == SessionStatus.stopping
                                ? "session shutdown initiated: the instance is being destroyed; the session is"
                                        + " stopped once the provider confirms"
                                : "session shutdown initiated",
                        s.id,
                        s.status.name()));
    }

    @DELETE
    @Path("/{id}")
    public Uni<SessionResponses.Ending> delete(@PathParam("id") String id) {
        Ids.require(id, "session_id");
        return sessions.end(id, StopReason.deleted)
                .map(s -> new SessionResponses.Ending(ending(s), s.id, s.status.name()));
    }

    /** What a DELETE did, truthfully: a session is destroyed only once the provider confirmed it. */
    static String ending(Session s) {
        return switch (s.status) {
            case stopping ->
                "destroy requested: the instance is being destroyed; the session is stopped once the"
                        + " provider confirms (GET it to follow)";
            case stopped -> "session destroyed";
            case failed -> "session already ended (failed); its instance is destroyed";
            default -> "session " + s.status;
        };
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
        int hours = body.additionalHours();
        // the budget must cover the added hours and the policy the longer reservation, as at the create
        return sessions.find(id)
                .call(s -> s.status != SessionStatus.running
                        ? Uni.createFrom().voidItem()
                        : budget.check(s.consumerId, s.offer.pricePerHour.multiply(java.math.BigDecimal.valueOf(hours)))
                                .onFailure()
                                .transform(e -> new ApiException(
                                        503, "billing unavailable: the budget cannot be checked; try again"))
                                .invoke(v -> {
                                    if (!v.allowed()) {
                                        throw new ApiException(
                                                402,
                                                "budget exceeded: " + hours + " more hours could cost up to "
                                                        + v.cost().toPlainString() + " USD but only "
                                                        + (v.remaining() == null
                                                                ? "0"
                                                                : v.remaining().toPlainString())
                                                        + " USD remain this month",
                                                Map.of("error_type", "budget_exceeded"));
                                    }
                                }))
                .chain(s -> sessions.policy(s.consumerId))
                .chain(policy -> sessions.extend(id, hours, policy))
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
