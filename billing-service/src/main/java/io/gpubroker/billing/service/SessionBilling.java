package io.gpubroker.billing.service;

import io.gpubroker.billing.repository.BilledSessionRepository;
import io.gpubroker.contracts.SessionRequested;
import io.gpubroker.contracts.SessionStarted;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Opens and closes a session's billing in the caller's transaction. Start and end may arrive in
 * either order (a replay, a partition lag): the row keeps whatever is known, and the ledger is
 * written exactly once both ends are.
 */
@ApplicationScoped
public class SessionBilling {
    private final BilledSessionRepository billed;
    private final AccrualService accruals;

    public SessionBilling(BilledSessionRepository billed, AccrualService accruals) {
        this.billed = billed;
        this.accruals = accruals;
    }

    /** Opens the accounts of {@code events} (first request per session wins, in list order). */
    public Uni<Void> requested(Mutiny.Session db, List<SessionRequested> events) {
        return billed.requested(db, events);
    }

    public Uni<Void> started(Mutiny.Session db, SessionStarted e) {
        // the end may already be known (stop seen first): then the ledger is closed now
        return billed.started(db, e)
                .chain(() -> accruals.finalizeEnded(db, e.sessionId()))
                .replaceWithVoid();
    }

    public Uni<Void> ended(
            Mutiny.Session db, String sessionId, String consumerId, String provider, String instanceId, Instant end) {
        return billed.ended(db, sessionId, consumerId, provider, instanceId, end)
                .chain(() -> accruals.finalizeEnded(db, sessionId))
                .replaceWithVoid();
    }
}
