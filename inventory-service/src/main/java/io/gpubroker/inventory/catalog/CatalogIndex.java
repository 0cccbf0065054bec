package io.gpubroker.inventory.catalog;

import io.gpubroker.contracts.NormalisedOffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * An immutable, search-ready copy of the whole catalog: offers in the documented order (best value
 * first: price per GPU-hour ascending, then reliability descending, then id), column arrays for the
 * filters, and posting lists per GPU type and provider, so a typical search touches only the offers
 * of its GPU type. Rebuilt off the request path after every applied snapshot and swapped atomically.
 */
public final class CatalogIndex {

    /** The documented result order. */
    public static final String ORDER = "price_per_gpu_hour asc, reliability desc, id asc";

    static final Comparator<NormalisedOffer> BEST_VALUE = Comparator.comparingDouble(
                    (NormalisedOffer o) -> o.pricePerHour().doubleValue() / Math.max(1, o.gpuCount()))
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
            types.computeIfAbsent(Offers.norm(o.gpuType()), k -> new ArrayList<>())
                    .add(i);
            if (provider[i] >= 0) {
                provs.get(provider[i]).add(i);
            }
        }
        byGpuType = new HashMap<>();
        types.forEach((k, v) ->
                byGpuType.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        byProvider = provs.stream()
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                .toArray(int[][]::new);
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
        return new OfferFacts(
                o.provider(),
                o.gpuType(),
                gpuCount[p],
                vram[p],
                price[p],
                reliability[p],
                cuda[p],
                o.diskGb(),
                o.ramGb(),
                o.vcpus(),
                o.location(),
                o.country());
    }

    /** One search's filters, already validated. Null fields do not filter. */
    public record Query(
            String provider,
            String gpuType,
            String location,
            Integer minVram,
            Double maxPrice,
            Integer minGpuCount,
            Double minReliability,
            Double minConfidence,
            Double minCuda,
            IntPredicate extra,
            int limit,
            int offset) {}

    /** An offer on a result page (at {@code position} in this index; -1 when not from an index) with what the broker knows about it now. */
    public record Hit(
            int position,
            NormalisedOffer offer,
            double confidence,
            long ageMillis,
            boolean stale,
            boolean suppressed) {}

    /** A result page and the number of all matching offers. */
    public record Page(List<Hit> hits, int total) {}

    /**
     * A query's filters without paging: the key of the match cache. Everything but {@code extra} (a
     * template predicate, not comparable), which is never cached. Texts as given ("A100" and "a100"
     * are two entries with the same matches: cheaper than normalising on every request).
     */
    private record Filter(
            String provider,
            String gpuType,
            String location,
            Integer minVram,
            Double maxPrice,
            Integer minGpuCount,
            Double minReliability,
            Double minConfidence,
            Double minCuda) {
        static Filter of(Query q) {
            return new Filter(
                    q.provider(),
                    q.gpuType(),
                    q.location(),
                    q.minVram(),
                    q.maxPrice(),
                    q.minGpuCount(),
                    q.minReliability(),
                    q.minConfidence(),
                    q.minCuda());
        }
    }

    /**
     * The positions (in result order) that matched a filter at {@code filledAt} under {@code health}.
     * Without a confidence minimum they are exactly the matches at any time in
     * {@code [filledAt, validUntil)}: nothing but suppression depends on the time, and no suppression
     * ends before {@code validUntil}. With one, an offer's confidence only falls as it ages (for a
     * given overlay), so each position also has the last millisecond at which it still reaches the
     * minimum ({@code lastMatch}); at {@code now} the matches are the positions with
     * {@code lastMatch >= now}.
     */
    private record Matches(
            HealthOverlay health,
            long staleAfterMillis,
            long filledAt,
            long validUntil,
            int[] positions,
            long[] lastMatch) {
        boolean validFor(HealthOverlay h, long stale, long now) {
            return health == h && staleAfterMillis == stale && now >= filledAt && now < validUntil;
        }
    }

    /** Bounds of the match cache of one index (it goes with the index on the next rebuild). */
    static final int CACHE_MAX_ENTRIES = 512;

    static final long CACHE_MAX_POSITIONS = 4_000_000; // 16 MB of int[]

    private final ConcurrentHashMap<Filter, Matches> matches = new ConcurrentHashMap<>();
    private final AtomicLong cachedPositions = new AtomicLong();

    /**
     * Runs {@code q} against this index; suppressed offers are left out. {@code health} may be null
     * (no recent failures anywhere). Repeated filters are answered from a per-index cache of their
     * matching positions (see {@link Matches}): the same page and total as {@link #scan}, without the scan.
     */
    public Page search(Query q, HealthOverlay health, long now, long staleAfterMillis) {
        if (q.extra() != null || trivial(q, health)) {
            return scan(q, health, now, staleAfterMillis);
        }
        Filter key = Filter.of(q);
        Matches m = matches.get(key);
        if (m == null || !m.validFor(health, staleAfterMillis, now)) {
            Ints all = new Ints(256);
            filter(q, health, now, staleAfterMillis, 0, Integer.MAX_VALUE, all);
            int[] positions = all.toArray();
            long[] lastMatch = null;
            if (q.minConfidence() != null) {
                lastMatch = new long[positions.length];
                for (int k = 0; k < positions.length; k++) {
                    lastMatch[k] = lastMatch(positions[k], q.minConfidence(), health, now, staleAfterMillis);
                }
            }
            m = new Matches(
                    health,
                    staleAfterMillis,
                    now,
                    health == null ? Long.MAX_VALUE : health.nextSuppressionEndAfter(now),
                    positions,
                    lastMatch);
            remember(key, m);
        }
        int[] pos = m.positions();
        List<Hit> hits = new ArrayList<>(Math.min(q.limit(), 256));
        if (m.lastMatch() == null) {
            for (int k = q.offset(); k < pos.length && hits.size() < q.limit(); k++) {
                hits.add(hit(pos[k], health, now, staleAfterMillis));
            }
            return new Page(hits, pos.length);
        }
        long[] lastMatch = m.lastMatch();
        int total = 0;
        for (int k = 0; k < pos.length; k++) {
            if (lastMatch[k] >= now) {
                total++;
                if (total > q.offset() && hits.size() < q.limit()) {
                    hits.add(hit(pos[k], health, now, staleAfterMillis));
                }
            }
        }
        return new Page(hits, total);
    }

    /**
     * The last millisecond (from {@code now}, when position {@code p} reaches {@code min}) at which its
     * confidence still reaches {@code min}; MAX_VALUE if always. Exact: confidence is a non-increasing
     * step function of the time for a fixed overlay (the offer is not suppressed from {@code now} on),
     * constant once the offer is 4 x stale-after old (freshness at its 0.2 floor), so a binary search finds it.
     */
    private long lastMatch(int p, double min, HealthOverlay health, long now, long staleAfterMillis) {
        long floorFrom = fetchedAt[p] + 4 * Math.max(0, staleAfterMillis) + 1;
        if (floorFrom <= now || confidence(p, health, floorFrom, staleAfterMillis) >= min) {
            return Long.MAX_VALUE;
        }
        long ok = now; // reaches min
        long fails = floorFrom; // does not
        while (fails - ok > 1) {
            long mid = ok + (fails - ok) / 2;
            if (confidence(p, health, mid, staleAfterMillis) >= min) {
                ok = mid;
            } else {
                fails = mid;
            }
        }
        return ok;
    }

    private void remember(Filter key, Matches m) {
        long size = m.positions().length;
        if (size > CACHE_MAX_POSITIONS / 4) {
            return; // cannot happen with today's catalog sizes; keeps one huge result from evicting everything
        }
        if (matches.size() >= CACHE_MAX_ENTRIES || cachedPositions.get() + size > CACHE_MAX_POSITIONS) {
            matches.clear();
            cachedPositions.set(0);
        }
        Matches old = matches.put(key, m);
        cachedPositions.addAndGet(size - (old == null ? 0 : old.positions().length));
    }

    /** Runs {@code q} over the index, without the match cache. */
    public Page scan(Query q, HealthOverlay health, long now, long staleAfterMillis) {
        List<Hit> hits = new ArrayList<>(Math.min(q.limit(), 256));
        if (trivial(q, health)) {
            // nothing to test per offer: the candidate list is the result
            int[] candidates = candidates(q);
            int n = candidates == null ? offers.length : candidates.length;
            for (int k = q.offset(); k < n && hits.size() < q.limit(); k++) {
                hits.add(hit(candidates == null ? k : candidates[k], null, now, staleAfterMillis));
            }
            return new Page(hits, n);
        }
        Ints page = new Ints(Math.min(q.limit(), 256));
        int total = filter(q, health, now, staleAfterMillis, q.offset(), q.limit(), page);
        for (int i = 0; i < page.size; i++) {
            hits.add(hit(page.values[i], health, now, staleAfterMillis));
        }
        return new Page(hits, total);
    }

    /** Whether no offer needs testing: no health overlay and no filter but at most one posting list. */
    private boolean trivial(Query q, HealthOverlay health) {
        if (health != null
                || q.maxPrice() != null
                || q.minVram() != null
                || q.minGpuCount() != null
                || q.minReliability() != null
                || q.minCuda() != null
                || q.location() != null
                || q.extra() != null
                || q.minConfidence() != null) {
            return false;
        }
        // a provider with a GPU type is tested per offer (the GPU type's list is scanned)
        return q.provider() == null || q.gpuType() == null;
    }

    /**
     * Tests every candidate of {@code q}; the positions of matches {@code skip} .. {@code skip + max - 1}
     * (in result order) go to {@code out}. Returns the number of all matches.
     */
    private int filter(Query q, HealthOverlay health, long now, long staleAfterMillis, int skip, int max, Ints out) {
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
        // unboxed once: absent bounds become bounds every offer meets
        boolean byPrice = q.maxPrice() != null;
        double maxPrice = byPrice ? q.maxPrice() : 0;
        int minVram = q.minVram() == null ? Integer.MIN_VALUE : q.minVram();
        int minGpuCount = q.minGpuCount() == null ? Integer.MIN_VALUE : q.minGpuCount();
        boolean byReliability = q.minReliability() != null;
        double minReliability = byReliability ? q.minReliability() : 0;
        boolean byCuda = q.minCuda() != null;
        double minCuda = byCuda ? q.minCuda() - 1e-9 : 0;
        boolean byConfidence = q.minConfidence() != null;
        double minConfidence = byConfidence ? q.minConfidence() : 0;
        long[] suppressedUntil = health == null ? null : health.suppressedUntil;
        IntPredicate extra = q.extra();
        long end = (long) skip + max;
        int total = 0;
        int n = candidates == null ? offers.length : candidates.length;
        for (int k = 0; k < n; k++) {
            int p = candidates == null ? k : candidates[k];
            if (providerOrdinal >= 0 && provider[p] != providerOrdinal) {
                continue;
            }
            if (byPrice && price[p] > maxPrice) {
                continue;
            }
            if (vram[p] < minVram || gpuCount[p] < minGpuCount) {
                continue;
            }
            // an offer without a score or CUDA version cannot prove it meets a minimum
            if (byReliability && !(reliability[p] >= minReliability)) {
                continue;
            }
            if (byCuda && !(cuda[p] >= minCuda)) {
                continue;
            }
            if (locationOk != null && !locationOk[location[p]]) {
                continue;
            }
            if (suppressedUntil != null && suppressedUntil[p] > now) {
                continue;
            }
            if (extra != null && !extra.test(p)) {
                continue;
            }
            if (byConfidence && confidence(p, health, now, staleAfterMillis) < minConfidence) {
                continue;
            }
            if (total >= skip && total < end) {
                out.add(p);
            }
            total++;
        }
        return total;
    }

    /** A growable int list (no boxing). */
    private static final class Ints {
        int[] values;
        int size;

        Ints(int capacity) {
            values = new int[Math.max(8, capacity)];
        }

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    public Hit hit(int p, HealthOverlay health, long now, long staleAfterMillis) {
        long age = Math.max(0, now - fetchedAt[p]);
        boolean suppressed = health != null && health.suppressedUntil[p] > now;
        return new Hit(
                p, offers[p], confidence(p, health, now, staleAfterMillis), age, age > staleAfterMillis, suppressed);
    }

    double confidence(int p, HealthOverlay health, long now, long staleAfterMillis) {
        boolean suppressed = health != null && health.suppressedUntil[p] > now;
        double history = health == null ? 1.0 : health.factor[p];
        return Confidence.of(reliability[p], available[p], now - fetchedAt[p], staleAfterMillis, history, suppressed);
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
