package io.gpubroker.billing.rest;

import io.gpubroker.billing.domain.CostFilter;
import io.gpubroker.billing.domain.CostSummary;
import io.gpubroker.billing.domain.ProviderDrift;
import io.gpubroker.billing.service.CostReports;
import io.gpubroker.billing.service.DriftReconciler;
import io.gpubroker.kit.clock.BrokerClock;
import io.gpubroker.kit.rest.ApiException;
import io.gpubroker.kit.rest.Ids;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/** {@code /costs}: cost per session, per consumer and date range (daily / monthly rows), month summary, CSV export, provider drift. */
@Path("/costs")
@Produces(MediaType.APPLICATION_JSON)
public class CostsResource {
    // strict: 2026-1-5 or 2026-02-30 are rejected, not silently reinterpreted
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    private final CostReports reports;
    private final DriftReconciler drift;
    private final BrokerClock.Scaled clock;

    public CostsResource(CostReports reports, DriftReconciler drift, BrokerClock.Scaled clock) {
        this.reports = reports;
        this.drift = drift;
        this.clock = clock;
    }

    @GET
    public Uni<Object> costs(
            @QueryParam("session_id") String sessionId,
            @QueryParam("consumer_id") String consumerId,
            @QueryParam("start_date") String startDate,
            @QueryParam("end_date") String endDate,
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
            return reports.session(session).map(c -> {
                if (c == null || (consumer != null && !consumer.equals(c.consumerId()))) {
                    throw ApiException.notFound("session not found: " + session);
                }
                return c;
            });
        }
        return reports.summary(new CostFilter(consumer, from, to, period, null)).map(s -> s);
    }

    @GET
    @Path("/summary")
    public Uni<CostSummary> summary(@QueryParam("consumer_id") String consumerId) {
        return reports.monthToDate(id(consumerId, "consumer_id"), clock.instant());
    }

    /**
     * {@code GET /costs/export?format=csv}: one line per session and instance charge of a consumer (or
     * all) over UTC days, and a total line equal to {@code GET /costs} for the same filter.
     */
    @GET
    @Path("/export")
    @Produces({"text/csv", MediaType.APPLICATION_JSON})
    public Uni<Response> export(
            @QueryParam("format") String format,
            @QueryParam("consumer_id") String consumerId,
            @QueryParam("start_date") String startDate,
            @QueryParam("end_date") String endDate) {
        if (format != null && !format.isEmpty() && !format.equals("csv")) {
            throw ApiException.badRequest("format must be 'csv'");
        }
        LocalDate from = date(startDate, "start_date");
        LocalDate to = date(endDate, "end_date");
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiException.badRequest("start_date must not be after end_date");
        }
        String consumer = id(consumerId, "consumer_id");
        return reports.export(new CostFilter(consumer, from, to, null, null))
                .map(e -> Response.ok(e.csv(), "text/csv; charset=utf-8")
                        .header(
                                "Content-Disposition",
                                "attachment; filename=\"costs" + (consumer == null ? "" : "-" + consumer)
                                        + (from == null ? "" : "-" + from) + (to == null ? "" : "-" + to) + ".csv\"")
                        .build());
    }

    @GET
    @Path("/drift")
    public Uni<ProviderDrift.Report> drift() {
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
