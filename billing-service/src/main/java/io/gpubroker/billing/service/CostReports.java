package io.gpubroker.billing.service;

import io.gpubroker.billing.domain.CostExport;
import io.gpubroker.billing.domain.CostFilter;
import io.gpubroker.billing.domain.CostSummary;
import io.gpubroker.billing.domain.SessionCost;
import io.gpubroker.billing.repository.CostExportRepository;
import io.gpubroker.billing.repository.CostRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.YearMonth;
import org.hibernate.reactive.mutiny.Mutiny;

/** Cost reports: one session's cost, a summary over a filter, this month to date, an export of every charge. */
@ApplicationScoped
public class CostReports {
    private final Mutiny.SessionFactory sessions;
    private final CostRepository costs;
    private final CostExportRepository exports;

    public CostReports(Mutiny.SessionFactory sessions, CostRepository costs, CostExportRepository exports) {
        this.sessions = sessions;
        this.costs = costs;
        this.exports = exports;
    }

    /** One line per session and instance charge of the filter's consumer and days, with the summary's total. */
    public Uni<CostExport> export(CostFilter filter) {
        return sessions.withSession(db -> exports.export(db, filter));
    }

    /** The session's cost; null when billing has never heard of it. */
    public Uni<SessionCost> session(String sessionId) {
        return sessions.withSession(db -> costs.session(db, sessionId));
    }

    public Uni<CostSummary> summary(CostFilter filter) {
        return sessions.withSession(db -> costs.summary(db, filter));
    }

    /** This UTC month so far, for one consumer or all. */
    public Uni<CostSummary> monthToDate(String consumerId, Instant now) {
        YearMonth m = BudgetService.monthOf(now);
        return summary(new CostFilter(consumerId, m.atDay(1), m.atEndOfMonth(), null, m.toString()));
    }
}
