package io.gpubroker.billing.service;

import io.gpubroker.billing.config.BillingConfig;
import io.gpubroker.billing.domain.InstanceCharge;
import io.gpubroker.billing.metrics.BillingMetrics;
import io.gpubroker.billing.repository.InstanceChargeRepository;
import io.gpubroker.contracts.InstanceCreated;
import io.gpubroker.contracts.InstanceGone;
import io.gpubroker.kit.clock.BrokerClock;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The cost of every instance the broker caused to exist (docs/adr/0019), in the caller's
 * transaction: each instance bills from its creation to the provider's confirmation that it is
 * gone; what the session ledger does not cover becomes instance charges, flagged {@code boot},
 * {@code destroy_delay}, {@code failed_attempt} or {@code orphan}, and booked to the account that
 * pays (the session's consumer, or the operator account by policy). The consumer's budget is checked
 * in the same transaction.
 */
@ApplicationScoped
public class InstanceCosts {
    private final InstanceChargeRepository charges;
    private final BudgetService budgets;
    private final BillingMetrics metrics;
    private final BrokerClock.Scaled clock;
    private final BillingConfig.InstanceCosts policy;

    public InstanceCosts(
            InstanceChargeRepository charges,
            BudgetService budgets,
            BillingMetrics metrics,
            BrokerClock.Scaled clock,
            BillingConfig config) {
        this.charges = charges;
        this.budgets = budgets;
        this.metrics = metrics;
        this.clock = clock;
        this.policy = config.instanceCosts();
    }

    public Uni<Void> created(Mutiny.Session db, InstanceCreated e) {
        return charges.created(db, e).chain(() -> charge(db, e.provider(), e.instanceId()));
    }

    public Uni<Void> gone(Mutiny.Session db, InstanceGone e) {
        return charges.gone(db, e).chain(() -> charge(db, e.provider(), e.instanceId()));
    }

    /** Charges the instance once both ends are known; a no-op before that and after it was charged. */
    Uni<Void> charge(Mutiny.Session db, String provider, String instanceId) {
        return charges.lockDue(db, provider, instanceId).chain(c -> {
            if (c == null) {
                return Uni.createFrom().voidItem();
            }
            Instant now = clock.instant();
            if (c.price() == null) {
                // unknown is never read as free or guessed: it is recorded, and shows in the drift as unmatched cost
                return charges.markCharged(db, c, BigDecimal.ZERO, "no price known for the instance's offer", now);
            }
            List<InstanceCharge.Segment> segments = segments(c, policy);
            BigDecimal[] total = {BigDecimal.ZERO};
            Map<YearMonth, Set<String>> touched = new HashMap<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (InstanceCharge.Segment s : segments) {
                chain = chain.chain(() -> charges.writeSegment(db, c, s, c.price())
                        .invoke(amount -> {
                            total[0] = total[0].add(amount);
                            metrics.instanceCharged(provider, s.flag(), amount);
                            // a segment may span months: each month it touched is checked
                            touched.computeIfAbsent(BudgetService.monthOf(s.from()), m -> new HashSet<>())
                                    .add(s.payer());
                            touched.computeIfAbsent(
                                            BudgetService.monthOf(s.until().minusMillis(1)), m -> new HashSet<>())
                                    .add(s.payer());
                        })
                        .replaceWithVoid());
            }
            return chain.chain(() -> charges.markCharged(db, c, total[0], null, now))
                    .chain(() -> budgets.evaluate(db, touched, now))
                    .replaceWithVoid();
        });
    }

    /**
     * The stretches of an instance's provider billing window no session ledger covers, and who pays:
     * the instance a session ran on costs its consumer the boot before verification and any time
     * between the session's end and the confirmation; an instance no session ran on is a failed launch
     * (paid per policy) or an orphan (the operator's).
     */
    public static List<InstanceCharge.Segment> segments(InstanceCharge c, BillingConfig.InstanceCosts policy) {
        List<InstanceCharge.Segment> out = new ArrayList<>();
        Instant created = c.createdAt();
        Instant gone = c.goneAt();
        if (!gone.isAfter(created)) {
            return out;
        }
        String operator = policy.operatorAccount();
        if (c.sessionStarted() != null) {
            String payer = c.consumerId() != null ? c.consumerId() : operator;
            Instant bootEnd = min(c.sessionStarted(), gone);
            if (bootEnd.isAfter(created)) {
                out.add(new InstanceCharge.Segment("boot", created, bootEnd, payer));
            }
            if (c.sessionEnded() != null && gone.isAfter(c.sessionEnded())) {
                Instant from = max(c.sessionEnded(), max(created, c.sessionStarted()));
                if (gone.isAfter(from)) {
                    out.add(new InstanceCharge.Segment("destroy_delay", from, gone, payer));
                }
            }
            return out;
        }
        if (InstanceCreated.ORPHAN.equals(c.kind())) {
            out.add(new InstanceCharge.Segment("orphan", created, gone, operator));
            return out;
        }
        String payer =
                policy.failedLaunchPayer() == BillingConfig.InstanceCosts.Payer.consumer && c.consumerId() != null
                        ? c.consumerId()
                        : operator;
        out.add(new InstanceCharge.Segment("failed_attempt", created, gone, payer));
        return out;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
