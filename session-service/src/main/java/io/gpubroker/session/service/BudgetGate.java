package io.gpubroker.session.service;

import io.gpubroker.session.client.BillingClient;
import io.gpubroker.session.client.Offer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** Asks billing-service whether a consumer's budget covers what a session on an offer could cost. */
@ApplicationScoped
public class BudgetGate {
    private final BillingClient billing;
    private final boolean enabled;

    public BudgetGate(
            @RestClient BillingClient billing,
            @ConfigProperty(name = "broker.budget-check.enabled", defaultValue = "true") boolean enabled) {
        this.billing = billing;
        this.enabled = enabled;
    }

    /** Billing's answer; {@code allowed} with nothing else when the check is switched off. */
    public record Verdict(boolean allowed, BigDecimal cost, BigDecimal remaining) {}

    /** The verdict for {@code hours} on {@code o}; fails when billing cannot be asked. */
    public Uni<Verdict> check(String consumerId, Offer o, int hours) {
        BigDecimal cost = o.costFor(hours);
        if (!enabled) {
            return Uni.createFrom().item(new Verdict(true, cost, null));
        }
        return billing.check(new BillingClient.Check(consumerId, cost))
                .map(v -> new Verdict(v.allowed(), cost, v.remaining()));
    }

    /** The verdict for {@code amount} more (an extend). */
    public Uni<Verdict> check(String consumerId, BigDecimal amount) {
        if (!enabled) {
            return Uni.createFrom().item(new Verdict(true, amount, null));
        }
        return billing.check(new BillingClient.Check(consumerId, amount))
                .map(v -> new Verdict(v.allowed(), amount, v.remaining()));
    }
}
