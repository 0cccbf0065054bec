package io.gpubroker.sim.tensordock;

import io.gpubroker.sim.core.GpuCatalog;
import io.vertx.core.MultiMap;
import io.vertx.core.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * TensorDock's inventory: hostnodes built from the shared {@link GpuCatalog} seeds, grouped into
 * locations. Live capacity and prices change with every create, destroy and drift step; what
 * {@code /locations} and {@code /hostnodes} show is a {@link Snapshot} refreshed every
 * {@code tensordock.snapshot-refresh} simulated seconds, so the listing can advertise capacity
 * that is already gone. Rendered JSON is cached per snapshot so 20,000+ hostnodes list cheaply.
 */
final class Catalog {

    /** One hostnode as the last snapshot saw it. */
    record HostnodeState(
            Hostnode node,
            int gpuAvailable,
            int vcpu,
            int ram,
            int storage,
            int dedicatedIps,
            double pricePerGpu,
            double perVcpuHr,
            double perGbRamHr,
            double perGbStorageHr,
            List<Integer> freePorts) {}

    /** What the listing endpoints serve until the next refresh. */
    static final class Snapshot {
        final Instant takenAt;
        final List<HostnodeState> states;
        final Map<String, HostnodeState> byId = new LinkedHashMap<>();
        private String locationsJson;
        private String hostnodesJson;

        Snapshot(Instant takenAt, List<HostnodeState> states) {
            this.takenAt = takenAt;
            this.states = states;
            for (HostnodeState s : states) {
                byId.put(s.node().id, s);
            }
        }
    }

    final List<Location> locations = new ArrayList<>();
    final Map<String, Location> locationsById = new LinkedHashMap<>();
    final List<Hostnode> hostnodes = new ArrayList<>();
    final Map<String, Hostnode> hostnodesById = new LinkedHashMap<>();
    /** location id → v0Name → hostnodes with that GPU, for location-based placement. */
    private final Map<String, Map<String, List<Hostnode>>> placement = new LinkedHashMap<>();

    private final Duration refreshEvery;
    private final boolean listIncludesPorts;
    private final double driftPct;
    private final Random drift;
    private Snapshot snapshot;

    Catalog(long seed, int offers, Duration refreshEvery, boolean listIncludesPorts, double driftPct) {
        this.refreshEvery = refreshEvery;
        this.listIncludesPorts = listIncludesPorts;
        this.driftPct = driftPct;
        this.drift = new Random(seed * 31 + 7);
        Random rnd = new Random(seed ^ 0x7E45D0CL);
        Map<String, Location> byKey = new LinkedHashMap<>();
        for (int i = 0; i < GpuCatalog.LOCATIONS.size(); i++) {
            Location loc = Location.of(GpuCatalog.LOCATIONS.get(i)[0], i, seed);
            byKey.put(loc.key(), loc);
        }
        for (GpuCatalog.OfferSeed s : GpuCatalog.generate(seed, offers)) {
            Location loc = byKey.get(s.location());
            Hostnode hn = new Hostnode(Location.uuid("hostnode", seed, String.valueOf(s.index())), s, loc, rnd);
            hostnodes.add(hn);
            hostnodesById.put(hn.id, hn);
            placement
                    .computeIfAbsent(loc.id(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(hn.gpuName.v0Name(), k -> new ArrayList<>())
                    .add(hn);
        }
        for (Location loc : byKey.values()) {
            if (placement.containsKey(loc.id())) {
                locations.add(loc);
                locationsById.put(loc.id(), loc);
            }
        }
    }

    void reset(Instant now) {
        hostnodes.forEach(Hostnode::reset);
        refresh(now);
    }

    /** Hostnodes at {@code locationId} selling {@code v0Name}, cheapest first. */
    List<Hostnode> candidates(String locationId, String v0Name) {
        List<Hostnode> list =
                new ArrayList<>(placement.getOrDefault(locationId, Map.of()).getOrDefault(v0Name, List.of()));
        list.sort(Comparator.comparingDouble((Hostnode h) -> h.pricePerGpu).thenComparingInt(h -> h.index));
        return list;
    }

    /** One random-walk step of every hostnode's GPU price (bounded to 0.7x..1.5x of its base). */
    void driftPrices() {
        for (Hostnode h : hostnodes) {
            double p = h.pricePerGpu * (1 + (drift.nextDouble() * 2 - 1) * driftPct);
            p = Math.max(h.basePricePerGpu * 0.7, Math.min(h.basePricePerGpu * 1.5, p));
            h.pricePerGpu = GpuCatalog.round(p, 4);
        }
    }

    Snapshot snapshot(Instant now) {
        if (snapshot == null || refreshEvery.isZero() || !now.isBefore(snapshot.takenAt.plus(refreshEvery))) {
            refresh(now);
        }
        return snapshot;
    }

    void refresh(Instant now) {
        List<HostnodeState> states = new ArrayList<>(hostnodes.size());
        for (Hostnode h : hostnodes) {
            states.add(new HostnodeState(
                    h,
                    h.gpuAvailable(),
                    h.vcpuFree,
                    h.ramFree,
                    h.storageFree,
                    h.dedicatedIpFree,
                    h.pricePerGpu,
                    h.perVcpuHr,
                    h.perGbRamHr,
                    h.perGbStorageHr,
                    h.freePorts()));
        }
        snapshot = new Snapshot(now, states);
    }

    // ---- rendering

    String locationsJson(Instant now) {
        Snapshot s = snapshot(now);
        if (s.locationsJson == null) {
            s.locationsJson = Json.encode(new TdJson.LocationsBody(new TdJson.LocationsData(locationsOf(s))));
        }
        return s.locationsJson;
    }

    String hostnodesJson(Instant now, MultiMap query) {
        Snapshot s = snapshot(now);
        HostnodeFilter filter = HostnodeFilter.of(query);
        if (filter.isEmpty()) {
            if (s.hostnodesJson == null) {
                s.hostnodesJson = Json.encode(hostnodesBody(s.states, HostnodeFilter.NONE));
            }
            return s.hostnodesJson;
        }
        return Json.encode(hostnodesBody(s.states, filter));
    }

    /** {@code GET /hostnodes/{uuid}}: the snapshot view, with {@code available_ports}; null when unknown. */
    TdJson.HostnodeBody hostnode(Instant now, String id) {
        HostnodeState st = snapshot(now).byId.get(id);
        return st == null ? null : new TdJson.HostnodeBody(hostnodeOut(st, true));
    }

    private TdJson.HostnodesBody hostnodesBody(List<HostnodeState> states, HostnodeFilter filter) {
        List<TdJson.HostnodeOut> out = new ArrayList<>();
        for (HostnodeState st : states) {
            if (filter.matches(st)) {
                out.add(hostnodeOut(st, listIncludesPorts));
            }
        }
        return new TdJson.HostnodesBody(new TdJson.HostnodesData(out));
    }

    private static TdJson.HostnodeOut hostnodeOut(HostnodeState st, boolean withPorts) {
        Hostnode h = st.node();
        Location l = h.location;
        return new TdJson.HostnodeOut(
                h.id,
                l.id(),
                "Narwhal",
                h.uptimePercentage,
                new TdJson.AvailableResources(
                        List.of(new TdJson.HostnodeGpu(h.gpuName.v0Name(), st.gpuAvailable(), st.pricePerGpu())),
                        st.vcpu(),
                        st.ram(),
                        st.storage(),
                        withPorts ? st.freePorts() : null),
                new TdJson.Pricing(st.perVcpuHr(), st.perGbRamHr(), st.perGbStorageHr()),
                new TdJson.HostnodeLocation(
                        l.id(),
                        l.city(),
                        l.stateprovince(),
                        l.country(),
                        false,
                        l.networkSpeedGbps(),
                        l.networkSpeedGbps(),
                        l.organization(),
                        l.organizationName(),
                        l.tier()));
    }

    private List<TdJson.LocationOut> locationsOf(Snapshot s) {
        Map<String, Map<String, List<HostnodeState>>> grouped = new LinkedHashMap<>();
        for (HostnodeState st : s.states) {
            if (st.gpuAvailable() > 0) {
                grouped.computeIfAbsent(st.node().location.id(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(st.node().gpuName.v0Name(), k -> new ArrayList<>())
                        .add(st);
            }
        }
        List<TdJson.LocationOut> out = new ArrayList<>();
        for (Location loc : locations) {
            List<TdJson.LocationGpu> gpus = new ArrayList<>();
            grouped.getOrDefault(loc.id(), Map.of()).forEach((v0Name, states) -> gpus.add(locationGpu(states)));
            out.add(new TdJson.LocationOut(loc.id(), loc.city(), loc.stateprovince(), loc.country(), loc.tier(), gpus));
        }
        return out;
    }

    private static TdJson.LocationGpu locationGpu(List<HostnodeState> states) {
        HostnodeState cheapest = states.get(0);
        int maxCount = 0;
        int maxVcpu = 0;
        int maxRam = 0;
        int maxStorage = 0;
        boolean dedicated = false;
        for (HostnodeState st : states) {
            if (st.pricePerGpu() < cheapest.pricePerGpu()) {
                cheapest = st;
            }
            maxCount = Math.max(maxCount, st.gpuAvailable());
            maxVcpu = Math.max(maxVcpu, st.vcpu());
            maxRam = Math.max(maxRam, st.ram());
            maxStorage = Math.max(maxStorage, st.storage());
            dedicated |= st.dedicatedIps() > 0;
        }
        GpuNames.Name name = cheapest.node().gpuName;
        return new TdJson.LocationGpu(
                name.v0Name(),
                name.displayName(),
                maxCount,
                cheapest.pricePerGpu(),
                new TdJson.LocationResources(maxVcpu, maxRam, maxStorage),
                new TdJson.Pricing(cheapest.perVcpuHr(), cheapest.perGbRamHr(), cheapest.perGbStorageHr()),
                new TdJson.NetworkFeatures(dedicated, true, false));
    }

    /**
     * GUESSED query filters on {@code /hostnodes} (the docs name none): {@code gpu} (v0Name),
     * {@code location_id}, {@code min_gpu_count}, {@code max_price} (per GPU), {@code min_vcpu},
     * {@code min_ram_gb}, {@code min_storage_gb}.
     */
    record HostnodeFilter(
            String gpu,
            String locationId,
            Integer minGpuCount,
            Double maxPrice,
            Integer minVcpu,
            Integer minRamGb,
            Integer minStorageGb) {

        static final HostnodeFilter NONE = new HostnodeFilter(null, null, null, null, null, null, null);

        static HostnodeFilter of(MultiMap q) {
            return new HostnodeFilter(
                    q.get("gpu"),
                    q.get("location_id"),
                    integer(q, "min_gpu_count"),
                    q.get("max_price") == null ? null : Double.valueOf(q.get("max_price")),
                    integer(q, "min_vcpu"),
                    integer(q, "min_ram_gb"),
                    integer(q, "min_storage_gb"));
        }

        private static Integer integer(MultiMap q, String key) {
            return q.get(key) == null ? null : Integer.valueOf(q.get(key));
        }

        boolean isEmpty() {
            return equals(NONE);
        }

        boolean matches(HostnodeState st) {
            Hostnode h = st.node();
            return (gpu == null || gpu.equalsIgnoreCase(h.gpuName.v0Name()))
                    && (locationId == null || locationId.equals(h.location.id()))
                    && (minGpuCount == null || st.gpuAvailable() >= minGpuCount)
                    && (maxPrice == null || st.pricePerGpu() <= maxPrice)
                    && (minVcpu == null || st.vcpu() >= minVcpu)
                    && (minRamGb == null || st.ram() >= minRamGb)
                    && (minStorageGb == null || st.storage() >= minStorageGb);
        }
    }
}
