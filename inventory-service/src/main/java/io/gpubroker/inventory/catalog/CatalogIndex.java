package io.gpubroker.inventory.catalog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import io.gpubroker.contracts.NormalisedOffer;

/**
 * An immutable, search-ready copy of the whole catalog: offers in the documented order (best value
 * first: price per GPU-hour ascending, then reliability descending, then id), column arrays for the
 * filters, and posting lists per GPU type and provider, so a typical search touches only the offers
 * of its GPU type. Rebuilt off the request path after every applied snapshot and swapped atomically.
 */
public final class CatalogIndex {

    /** The documented result order. */
    public static final String ORDER = "price_per_gpu_hour asc, reliability desc, id asc";

    static final Comparator<NormalisedOffer> BEST_VALUE = Comparator
            .comparingDouble((NormalisedOffer o) -> o.pricePerHour().doubleValue() / Math.max(1, o.gpuCount()))
            .thenComparingDouble(o -> o.reliability() == null ? 1.0 : -o.reliability())
            .thenComparing(NormalisedOffer::id);

    final NormalisedOffer[] offers;
    final double[] price;
    final int[] vram;
    final int[] gpuCount;
    final double[] reliability;
    final double[] cuda;
    final boolean[] available;
    final long[] fetchedAt;
    final int[] provider;
    final int[] location;
    private final String[] locations;
    private final Map<String, int[]> byGpuType;
    private final int[][] byProvider;
    private final Map<String, Integer> positions;
    private final List<String> providers;

    private CatalogIndex(NormalisedOffer[] sorted, List<String> providers) {
        int n = sorted.length;
        this.offers = sorted;
        this.providers = providers;
        price = new double[n];
        vram = new int[n];
        gpuCount = new int[n];
        reliability = new double[n];
        cuda = new double[n];
        available = new boolean[n];
        fetchedAt = new long[n];
        provider = new int[n];
        location = new int[n];
        Map<String, Integer> locationOrdinals = new HashMap<>();
        positions = new HashMap<>(n * 2);
        Map<String, List<Integer>> types = new HashMap<>();
        List<List<Integer>> provs = new ArrayList<>();
        providers.forEach(p -> provs.add(new ArrayList<>()));
        for (int i = 0; i < n; i++) {
            NormalisedOffer o = sorted[i];
            price[i] = o.pricePerHour().doubleValue();
            vram[i] = o.vramGb();
            gpuCount[i] = o.gpuCount();
            reliability[i] = o.reliability() == null ? Double.NaN : o.reliability();
            cuda[i] = o.cudaVersion() == null ? Double.NaN : o.cudaVersion();
            available[i] = o.available();
            fetchedAt[i] = o.fetchedAt().toEpochMilli();
            provider[i] = providers.indexOf(o.provider());
            location[i] = locationOrdinals.computeIfAbsent(Offers.norm(o.location()), k -> locationOrdinals.size());
            positions.put(o.id(), i);
            types.computeIfAbsent(Offers.norm(o.gpuType()), k -> new ArrayList<>()).add(i);
            if (provider[i] >= 0) {
                provs.get(provider[i]).add(i);
            }
        }
        byGpuType = new HashMap<>();
        types.forEach((k, v) -> byGpuType.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        byProvider = provs.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        locations = new String[locationOrdinals.size()];
        locationOrdinals.forEach((k, v) -> locations[v] = k);
    }

    /** Builds the index of {@code all} offers; {@code providers} fixes the provider ordinals. */
    public static CatalogIndex build(List<NormalisedOffer> all, List<String> providers) {
        NormalisedOffer[] sorted = all.toArray(NormalisedOffer[]::new);
        Arrays.parallelSort(sorted, BEST_VALUE);
        return new CatalogIndex(sorted, List.copyOf(providers));
    }

    public static CatalogIndex empty(List<String> providers) {
        return build(List.of(), providers);
    }

    public int size() {
        return offers.length;
    }

    public int position(String id) {
        Integer p = positions.get(id);
        return p == null ? -1 : p;
    }

    public NormalisedOffer offer(int position) {
        return offers[position];
    }

    /** Per-offer facts a template's extra_filters is evaluated on. */
    public OfferFacts facts(int p) {
        NormalisedOffer o = offers[p];
        return new OfferFacts(o.provider(), o.gpuType(), gpuCount[p], vram[p], price[p], reliability[p], cuda[p],
                o.diskGb(), o.ramGb(), o.vcpus(), o.location(), o.country());
    }

    /** One search's filters, already validated. Null fields do not filter. */
    public record Query(String provider, String gpuType, String location, Integer minVram, Double maxPrice,
                        Integer minGpuCount, Double minReliability, Double minConfidence, Double minCuda,
                        IntPredicate extra, int limit, int offset) {
    }

    /** An offer on a result page with what the broker knows about it now. */
    public record Hit(NormalisedOffer offer, double confidence, long ageMillis, boolean stale, boolean suppressed) {
    }

    /** A result page and the number of all matching offers. */
    public record Page(List<Hit> hits, int total) {
    }

    /**
     * Runs {@code q} against this index; suppressed offers are left out. {@code health} may be null
     * (no recent failures anywhere).
     */
    public Page search(Query q, HealthOverlay health, long now, long staleAfterMillis) {
        int[] candidates = candidates(q);
        int providerOrdinal = q.provider() == null ? -1 : providers.indexOf(q.provider());
        // a location matches by substring: decide it once per distinct location, not per offer
        boolean[] locationOk = null;
        if (q.location() != null) {
            String loc = Offers.norm(q.location());
            locationOk = new boolean[locations.length];
            for (int i = 0; i < locations.length; i++) {
                locationOk[i] = locations[i].contains(loc);
            }
        }
        List<Hit> hits = new ArrayList<>(Math.min(q.limit(), 256));
        int n = candidates == null ? offers.length : candidates.length;
        if (health == null && q.maxPrice() == null && q.minVram() == null && q.minGpuCount() == null && q.minReliability() == null
                && q.minCuda() == null && locationOk == null && q.extra() == null && q.minConfidence() == null
                && (providerOrdinal < 0 || candidates == byProviderOf(providerOrdinal))) {
            // nothing to test per offer: the candidate list is the result
            for (int k = q.offset(); k < n && hits.size() < q.limit(); k++) {
                hits.add(hit(candidates == null ? k : candidates[k], null, now, staleAfterMillis));
            }
            return new Page(hits, n);
        }
        int total = 0;
        for (int k = 0; k < n; k++) {
            int p = candidates == null ? k : candidates[k];
            if (providerOrdinal >= 0 && provider[p] != providerOrdinal) {
                continue;
            }
            if (q.maxPrice() != null && price[p] > q.maxPrice()) {
                continue;
            }
            if (q.minVram() != null && vram[p] < q.minVram()) {
                continue;
            }
            if (q.minGpuCount() != null && gpuCount[p] < q.minGpuCount()) {
                continue;
            }
            // an offer without a score or CUDA version cannot prove it meets a minimum
            if (q.minReliability() != null && !(reliability[p] >= q.minReliability())) {
                continue;
            }
            if (q.minCuda() != null && !(cuda[p] >= q.minCuda() - 1e-9)) {
                continue;
            }
            if (locationOk != null && !locationOk[location[p]]) {
                continue;
            }
            boolean suppressed = health != null && health.suppressedUntil[p] > now;
            if (suppressed) {
                continue;
            }
            if (q.extra() != null && !q.extra().test(p)) {
                continue;
            }
            double conf = -1;
            if (q.minConfidence() != null) {
                conf = confidence(p, health, now, staleAfterMillis);
                if (conf < q.minConfidence()) {
                    continue;
                }
            }
            total++;
            if (total > q.offset() && hits.size() < q.limit()) {
                hits.add(hit(p, health, now, staleAfterMillis));
            }
        }
        return new Page(hits, total);
    }

    public Hit hit(int p, HealthOverlay health, long now, long staleAfterMillis) {
        long age = Math.max(0, now - fetchedAt[p]);
        boolean suppressed = health != null && health.suppressedUntil[p] > now;
        return new Hit(offers[p], confidence(p, health, now, staleAfterMillis), age, age > staleAfterMillis, suppressed);
    }

    double confidence(int p, HealthOverlay health, long now, long staleAfterMillis) {
        boolean suppressed = health != null && health.suppressedUntil[p] > now;
        double history = health == null ? 1.0 : health.factor[p];
        return Confidence.of(reliability[p], available[p], now - fetchedAt[p], staleAfterMillis, history, suppressed);
    }

    private int[] byProviderOf(int ordinal) {
        return byProvider[ordinal];
    }

    /** Positions to scan, ascending (= result order); null = all. */
    private int[] candidates(Query q) {
        int[] byType = null;
        if (q.gpuType() != null) {
            String t = Offers.norm(q.gpuType());
            byType = new int[0];
            for (Map.Entry<String, int[]> e : byGpuType.entrySet()) {
                if (Offers.gpuTypeMatches(e.getKey(), t)) {
                    byType = byType.length == 0 ? e.getValue() : merge(byType, e.getValue());
                }
            }
        }
        int[] byProv = null;
        if (q.provider() != null) {
            int ord = providers.indexOf(q.provider());
            byProv = ord < 0 ? new int[0] : byProvider[ord];
        }
        // the GPU type list when there is one (the provider is checked per offer), else the provider's
        return byType != null ? byType : byProv;
    }

    private static int[] merge(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < b.length) {
            out[k++] = a[i] < b[j] ? a[i++] : b[j++];
        }
        while (i < a.length) {
            out[k++] = a[i++];
        }
        while (j < b.length) {
            out[k++] = b[j++];
        }
        return out;
    }
}
