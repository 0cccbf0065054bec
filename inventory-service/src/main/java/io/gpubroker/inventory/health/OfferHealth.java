package io.gpubroker.inventory.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gpubroker.contracts.NormalisedOffer;
import io.gpubroker.inventory.catalog.CatalogIndex;
import io.gpubroker.inventory.catalog.HealthOverlay;
import io.gpubroker.inventory.config.InventoryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The broker's own provisioning history: failures per offer, per machine and per provider + GPU
 * type within {@code inventory.health.window}. Each failure lowers the confidence of the offers it
 * concerns; reaching a threshold suppresses the offer / machine / GPU type for
 * {@code inventory.health.cooldown} (it leaves search), after which it starts afresh. A successful
 * provision clears the failures of its offer, machine and GPU type: the host works again.
 * State is rebuilt at start by replaying the stored outcomes in time order.
 */
@ApplicationScoped
public class OfferHealth {

    /** What a failure or success is about. */
    public enum Scope {
        OFFER(0.6),
        MACHINE(0.8),
        GPU_TYPE(0.9);

        final double penalty;

        Scope(double penalty) {
            this.penalty = penalty;
        }
    }

    /** One tracked key's state. */
    static final class KeyState {
        final Deque<Instant> failures = new ArrayDeque<>();
        Instant suppressedUntil;
        Instant lastFailureAt;
        String lastErrorClass;
        int suppressions;
    }

    /** A key as {@code GET /offer-health} shows it. */
    public record KeyView(
            @JsonProperty("scope") String scope,
            @JsonProperty("key") String key,
            @JsonProperty("recent_failures") int recentFailures,
            @JsonProperty("last_failure_at") Instant lastFailureAt,
            @JsonProperty("last_error_class") String lastErrorClass,
            @JsonProperty("suppressed") boolean suppressed,
            @JsonProperty("suppressed_until") Instant suppressedUntil,
            @JsonProperty("suppressions") int suppressions) {}

    private final Duration window;
    private final Duration cooldown;
    private final Map<Scope, Integer> thresholds;
    private final Map<String, KeyState> keys = new HashMap<>();
    private volatile long version;
    /** The last projection made, and from what. */
    private CatalogIndex lastIndex;

    private Map<String, Projected> lastProjected;
    private HealthOverlay lastOverlay;

    public OfferHealth(InventoryConfig config) {
        this.window = config.health().window();
        this.cooldown = config.health().cooldown();
        this.thresholds = Map.of(
                Scope.OFFER,
                config.health().suppressOfferAfter(),
                Scope.MACHINE,
                config.health().suppressMachineAfter(),
                Scope.GPU_TYPE,
                config.health().suppressGpuTypeAfter());
    }

    public static String offerKey(String offerId) {
        return "offer:" + offerId;
    }

    public static String machineKey(String provider, String machineId) {
        return "machine:" + provider + ":" + machineId;
    }

    public static String gpuTypeKey(String provider, String gpuType) {
        return "gpu_type:" + provider + ":" + gpuType.toLowerCase(java.util.Locale.ROOT);
    }

    /** Records a failed provision at {@code at}. */
    public synchronized void failure(
            String provider, String offerId, String machineId, String gpuType, String errorClass, Instant at) {
        for (Map.Entry<Scope, String> k :
                keysOf(provider, offerId, machineId, gpuType).entrySet()) {
            KeyState s = keys.computeIfAbsent(k.getValue(), x -> new KeyState());
            prune(s, at);
            s.failures.addLast(at);
            s.lastFailureAt = at;
            s.lastErrorClass = errorClass;
            if (s.failures.size() >= thresholds.get(k.getKey())) {
                s.suppressedUntil = at.plus(cooldown);
                s.suppressions++;
                // the cool-down is the penalty; afterwards the key starts afresh
                s.failures.clear();
            }
        }
        version++;
    }

    /** Records a successful provision: the offer, its machine and its GPU type work. */
    public synchronized void success(String provider, String offerId, String machineId, String gpuType) {
        for (String k : keysOf(provider, offerId, machineId, gpuType).values()) {
            KeyState s = keys.get(k);
            if (s != null) {
                s.failures.clear();
                s.suppressedUntil = null;
            }
        }
        version++;
    }

    public long version() {
        return version;
    }

    private static Map<Scope, String> keysOf(String provider, String offerId, String machineId, String gpuType) {
        Map<Scope, String> out = new java.util.EnumMap<>(Scope.class);
        if (offerId != null) {
            out.put(Scope.OFFER, offerKey(offerId));
        }
        if (machineId != null && !machineId.isBlank()) {
            out.put(Scope.MACHINE, machineKey(provider, machineId));
        }
        if (gpuType != null && !gpuType.isBlank()) {
            out.put(Scope.GPU_TYPE, gpuTypeKey(provider, gpuType));
        }
        return out;
    }

    private void prune(KeyState s, Instant now) {
        Instant horizon = now.minus(window);
        while (!s.failures.isEmpty() && s.failures.peekFirst().isBefore(horizon)) {
            s.failures.removeFirst();
        }
    }

    /**
     * Projects the current state onto {@code index}; null when nothing is failing or suppressed.
     * Runs after every rebuild and every few seconds over the whole catalog, so it does not build
     * each offer's key strings: the active keys are split by scope (and by provider, from the
     * providers the index has) and looked up with the offer's own fields.
     */
    public synchronized HealthOverlay overlay(CatalogIndex index, Instant now) {
        Map<String, KeyState> active = new HashMap<>();
        keys.forEach((k, s) -> {
            prune(s, now);
            if (!s.failures.isEmpty() || (s.suppressedUntil != null && s.suppressedUntil.isAfter(now))) {
                active.put(k, s);
            }
        });
        if (active.isEmpty()) {
            return null;
        }
        // the projection depends only on the index and, per active key, its failure count and suppression end
        Map<String, Projected> projected = new HashMap<>();
        active.forEach((k, s) -> projected.put(
                k,
                new Projected(
                        s.failures.size(),
                        s.suppressedUntil == null ? Long.MIN_VALUE : s.suppressedUntil.toEpochMilli())));
        if (index == lastIndex && projected.equals(lastProjected)) {
            return lastOverlay; // unchanged: the same instance, so searches keep what they cached for it
        }
        int n = index.size();
        Set<String> providers = new HashSet<>();
        for (int p = 0; p < n; p++) {
            providers.add(index.offer(p).provider());
        }
        ActiveKeys byScope = ActiveKeys.of(active, providers);
        Map<String, String> lowerGpu = new HashMap<>();
        double[] factor = new double[n];
        long[] until = new long[n];
        for (int p = 0; p < n; p++) {
            NormalisedOffer o = index.offer(p);
            double f = 1.0;
            long u = 0;
            // the scopes in keysOf's order (the factor is a product: same order, same rounding)
            KeyState s = o.id() == null ? null : byScope.offers.get(o.id());
            if (s != null) {
                f *= Math.pow(Scope.OFFER.penalty, s.failures.size());
                u = until(u, s);
            }
            Map<String, KeyState> machines = byScope.machines.get(o.provider());
            if (machines != null
                    && o.machineId() != null
                    && !o.machineId().isBlank()
                    && (s = machines.get(o.machineId())) != null) {
                f *= Math.pow(Scope.MACHINE.penalty, s.failures.size());
                u = until(u, s);
            }
            Map<String, KeyState> gpus = byScope.gpuTypes.get(o.provider());
            if (gpus != null
                    && o.gpuType() != null
                    && !o.gpuType().isBlank()
                    && (s = gpus.get(lowerGpu.computeIfAbsent(o.gpuType(), t -> t.toLowerCase(Locale.ROOT)))) != null) {
                f *= Math.pow(Scope.GPU_TYPE.penalty, s.failures.size());
                u = until(u, s);
            }
            factor[p] = f;
            until[p] = u;
        }
        lastIndex = index;
        lastProjected = projected;
        lastOverlay = new HealthOverlay(factor, until);
        return lastOverlay;
    }

    /** What of an active key goes into the overlay. */
    private record Projected(int failures, long suppressedUntil) {}

    private static long until(long u, KeyState s) {
        return s.suppressedUntil == null ? u : Math.max(u, s.suppressedUntil.toEpochMilli());
    }

    /**
     * Active keys by scope: offer keys by offer id; machine and GPU type keys by provider, then by
     * machine id / lower-case GPU type. A key belongs to every provider whose prefix it has, so a
     * lookup by (provider, rest) finds exactly the keys {@link #keysOf} would build for the offer.
     */
    private record ActiveKeys(
            Map<String, KeyState> offers,
            Map<String, Map<String, KeyState>> machines,
            Map<String, Map<String, KeyState>> gpuTypes) {
        static ActiveKeys of(Map<String, KeyState> active, Set<String> providers) {
            ActiveKeys a = new ActiveKeys(new HashMap<>(), new HashMap<>(), new HashMap<>());
            String offer = offerKey("");
            active.forEach((k, s) -> {
                if (k.startsWith(offer)) {
                    a.offers.put(k.substring(offer.length()), s);
                }
                for (String provider : providers) {
                    String machine = machineKey(provider, "");
                    String gpu = gpuTypeKey(provider, "");
                    if (k.startsWith(machine)) {
                        a.machines
                                .computeIfAbsent(provider, x -> new HashMap<>())
                                .put(k.substring(machine.length()), s);
                    } else if (k.startsWith(gpu)) {
                        a.gpuTypes
                                .computeIfAbsent(provider, x -> new HashMap<>())
                                .put(k.substring(gpu.length()), s);
                    }
                }
            });
            return a;
        }
    }

    /** Everything failing or suppressed now, most recent failure first. */
    public synchronized List<KeyView> view(Instant now) {
        List<KeyView> out = new ArrayList<>();
        keys.forEach((k, s) -> {
            prune(s, now);
            boolean suppressed = s.suppressedUntil != null && s.suppressedUntil.isAfter(now);
            if (suppressed || !s.failures.isEmpty()) {
                String scope = k.substring(0, k.indexOf(':'));
                out.add(new KeyView(
                        scope,
                        k.substring(k.indexOf(':') + 1),
                        s.failures.size(),
                        s.lastFailureAt,
                        s.lastErrorClass,
                        suppressed,
                        suppressed ? s.suppressedUntil : null,
                        s.suppressions));
            }
        });
        out.sort(Comparator.comparing(KeyView::lastFailureAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return out;
    }

    public Duration window() {
        return window;
    }

    public Duration cooldown() {
        return cooldown;
    }

    /** How far back stored outcomes matter when replaying at start. */
    public Duration replayHorizon() {
        return window.plus(cooldown);
    }
}
