package io.gpubroker.session.service;

import io.gpubroker.session.client.InventoryClient;
import io.gpubroker.session.client.Offer;
import io.gpubroker.session.client.OfferPage;
import io.gpubroker.session.config.SessionConfig;
import io.gpubroker.session.domain.Requirements;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Finds offers for a session: the matches of a requirements object ranked (cheapest per GPU-hour
 * first, ties by reliability), and the first of a ranked list that inventory still holds and the
 * consumer's budget covers. Whether to look at all is the saga's call.
 */
@ApplicationScoped
public class OfferFinder {
    private static final Logger LOG = Logger.getLogger(OfferFinder.class);

    /** Cheapest per GPU-hour, then the more reliable, then the id (a stable order across replicas). */
    static final Comparator<Offer> RANK = Comparator.comparing(Offer::pricePerGpuHour)
            .thenComparing(o -> o.reliability() == null ? 0.0 : o.reliability(), Comparator.reverseOrder())
            .thenComparing(Offer::id);

    private final InventoryClient inventory;
    private final BudgetGate budget;
    private final SessionConfig cfg;

    public OfferFinder(@RestClient InventoryClient inventory, BudgetGate budget, SessionConfig cfg) {
        this.inventory = inventory;
        this.budget = budget;
        this.cfg = cfg;
    }

    /** Every usable offer matching {@code r}, ranked; one inventory search per GPU type x provider asked for. */
    public Uni<List<Offer>> matching(Requirements r) {
        List<String> gpus = r.gpuTypesWanted().isEmpty() ? Arrays.asList((String) null) : r.gpuTypesWanted();
        List<String> providers = r.providersAllowed().isEmpty() ? Arrays.asList((String) null) : r.providersAllowed();
        List<String> locations = r.locationsWanted();
        // one location is inventory's own filter (a substring match); several are the same test here
        String location = locations.size() == 1 ? locations.get(0) : null;
        List<Uni<OfferPage>> searches = new ArrayList<>();
        for (String gpu : gpus) {
            for (String provider : providers) {
                searches.add(inventory.search(
                        provider,
                        gpu,
                        location,
                        r.minVram(),
                        r.minGpuCount(),
                        r.maxPrice() == null ? null : r.maxPrice().toPlainString(),
                        r.minReliability(),
                        r.minAvailabilityConfidence(),
                        r.minCuda(),
                        cfg.failover().searchLimit()));
            }
        }
        return Uni.join()
                .all(searches)
                .andFailFast()
                .map(pages ->
                        rank(pages.stream().flatMap(p -> p.offers().stream()).toList(), r));
    }

    /** {@code offers} that satisfy {@code r} and may still work, each once, best first. */
    static List<Offer> rank(List<Offer> offers, Requirements r) {
        List<String> locations = r.locationsWanted();
        Predicate<Offer> where = o -> locations.isEmpty()
                || (o.location() != null
                        && locations.stream().anyMatch(l -> norm(o.location()).contains(norm(l))));
        Map<String, Offer> unique = new LinkedHashMap<>();
        offers.stream()
                .filter(Offer::usable)
                .filter(o -> r.providerOk(o.provider()))
                .filter(where)
                .forEach(o -> unique.putIfAbsent(o.id(), o));
        return unique.values().stream().sorted(RANK).toList();
    }

    private static String norm(String s) {
        return s.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /**
     * The outcome of walking a ranked list: the offer chosen (its detail, with how to provision it),
     * or null with how many were looked at and how many the budget refused.
     */
    public record Pick(Offer offer, int looked, int refusedByBudget, String lastRefusal) {}

    /**
     * The first of {@code ranked} (skipping {@code skipOffers}, offers on {@code skipMachine} and offers the
     * consumer's policy does not {@code allowed}) that inventory still shows available and whose
     * {@code hours} the consumer's budget covers. At most
     * {@code session.failover.max-lookups} details are read. A failure to ask billing counts as a refusal:
     * nothing may start billing unchecked.
     */
    public Uni<Pick> firstAffordable(
            List<Offer> ranked,
            Set<String> skipOffers,
            String skipMachine,
            Predicate<Offer> allowed,
            String consumerId,
            int hours) {
        List<Offer> todo = ranked.stream()
                .filter(o -> !skipOffers.contains(o.id()))
                .filter(allowed)
                .filter(o -> skipMachine == null
                        || o.machineId() == null
                        || !o.machineId().equals(skipMachine))
                .limit(cfg.failover().maxLookups())
                .toList();
        return walk(todo, 0, consumerId, hours, new Pick(null, 0, 0, null));
    }

    private Uni<Pick> walk(List<Offer> todo, int i, String consumerId, int hours, Pick sofar) {
        if (i >= todo.size()) {
            return Uni.createFrom().item(sofar);
        }
        Offer listed = todo.get(i);
        Pick looked = new Pick(null, sofar.looked() + 1, sofar.refusedByBudget(), sofar.lastRefusal());
        // the listing leaves out how to provision an offer, and may be older than the detail
        return inventory
                .offer(listed.id())
                .onFailure()
                .recoverWithItem(e -> {
                    LOG.debugf("offer %s: no detail (%s)", listed.id(), e.getMessage());
                    return null;
                })
                .chain(o -> {
                    if (o == null || !o.usable()) {
                        return walk(todo, i + 1, consumerId, hours, looked);
                    }
                    return budget.check(consumerId, o, hours)
                            .onFailure()
                            .recoverWithItem(e -> new BudgetGate.Verdict(false, o.costFor(hours), null))
                            .chain(v -> v.allowed()
                                    ? Uni.createFrom()
                                            .item(new Pick(o, looked.looked(), looked.refusedByBudget(), null))
                                    : walk(
                                            todo,
                                            i + 1,
                                            consumerId,
                                            hours,
                                            new Pick(
                                                    null,
                                                    looked.looked(),
                                                    looked.refusedByBudget() + 1,
                                                    "up to " + v.cost().toPlainString() + " USD on " + o.id()
                                                            + " but "
                                                            + (v.remaining() == null
                                                                    ? "the budget could not be checked"
                                                                    : v.remaining()
                                                                                    .toPlainString()
                                                                            + " USD remain"))));
                });
    }
}
