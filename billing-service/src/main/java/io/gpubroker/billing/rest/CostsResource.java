package io.gpubroker.billing.rest;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.gpubroker.billing.reconcile.DriftReconciler;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.smallrye.mutiny.Uni;

/** {@code /costs}: cost per session, per consumer and date range (daily / monthly rows), month summary, provider drift. */
@Path("/costs")
@Produces(MediaType.APPLICATION_JSON)
public class CostsResource {
    // strict: 2026-1-5 or 2026-02-30 are rejected, not silently reinterpreted
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    private final CostQueries queries;
    private final DriftReconciler drift;
    private final BrokerClock.Scaled clock;

    public CostsResource(CostQueries queries, DriftReconciler drift, BrokerClock.Scaled clock) {
        this.queries = queries;
        this.drift = drift;
        this.clock = clock;
    }

    @GET
    public Uni<Object> costs(@QueryParam("session_id") String sessionId, @QueryParam("consumer_id") String consumerId,
                             @QueryParam("start_date") String startDate, @QueryParam("end_date") String endDate,
                             @QueryParam("period") String period) {
        LocalDate from = date(startDate, "start_date");
        LocalDate to = date(endDate, "end_date");
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.badRequest("start_date must not be after end_date");
        }
        if (period != null && !period.equals("daily") && !period.equals("monthly")) {
            throw ApiException.badRequest("period must be 'daily' or 'monthly'");
        }
        String consumer = id(consumerId, "consumer_id");
        String session = id(sessionId, "session_id");
        if (session != null) {
            return queries.session(session).map(c -> {
                if (c == null || (consumer != null && !consumer.equals(c.consumerId()))) {
                    throw ApiException.notFound("session not found: " + session);
                }
                return c;
            });
        }
        return queries.summary(new CostQueries.Filter(consumer, from, to, period, null)).map(s -> s);
    }

    @GET
    @Path("/summary")
    public Uni<CostQueries.Summary> summary(@QueryParam("consumer_id") String consumerId) {
        return queries.summary(CostQueries.monthToDate(id(consumerId, "consumer_id"), clock.instant()));
    }

    @GET
    @Path("/drift")
    public Uni<DriftReconciler.DriftReport> drift() {
        return drift.latest();
    }

    static LocalDate date(String value, String name) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return LocalDate.parse(value, DATE);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be a date as YYYY-MM-DD");
        }
    }

    static String id(String value, String name) {
        return Ids.require(value, name);
    }
}
