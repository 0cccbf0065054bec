package io.gpubroker.sim.vastai;

import io.gpubroker.sim.core.GpuCatalog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * The Vast marketplace: one {@link Machine} per catalog seed, each selling {@code capacity} slices
 * through a single-use ask id. Searches read a periodically refreshed {@link #snapshot}, so they can
 * show asks that were rented since; {@link #rent} checks the live state. Event-loop confined.
 */
final class VastOffers {

    /** Query keys that steer the search rather than filter it. */
    static final Set<String> CONTROL_KEYS =
            Set.of("order", "limit", "type", "allocated_storage", "select_cols", "q", "disable_bundling", "extra_ids");

    /** Storage cost per GB-month is spread over 720 hours in {@code dph_total}. */
    static final double HOURS_PER_MONTH = 720.0;

    private static final Map<String, String> VAST_NAMES = Map.ofEntries(
            Map.entry("A100 40GB", "A100 PCIE"),
            Map.entry("A100 80GB", "A100 SXM4"),
            Map.entry("H100 80GB", "H100 SXM"),
            Map.entry("V100 32GB", "Tesla V100"),
            Map.entry("RTX 6000 Ada", "RTX 6000Ada"));
    private static final Map<String, Integer> COMPUTE_CAP = Map.ofEntries(
            Map.entry("RTX 3090", 860),
            Map.entry("RTX 4090", 890),
            Map.entry("RTX 5090", 1200),
            Map.entry("RTX A6000", 860),
            Map.entry("RTX 6000 Ada", 890),
            Map.entry("L4", 890),
            Map.entry("A10", 860),
            Map.entry("L40S", 890),
            Map.entry("A40", 860),
            Map.entry("A100 40GB", 800),
            Map.entry("A100 80GB", 800),
            Map.entry("H100 80GB", 900),
            Map.entry("H200", 900),
            Map.entry("V100 32GB", 700));
    private static final Map<String, String> REGIONS = Map.ofEntries(
            Map.entry("US-West", "California"),
            Map.entry("US-East", "Virginia"),
            Map.entry("US-Central", "Texas"),
            Map.entry("Canada", "Quebec"));
    private static final String[] CPUS = {
        "AMD EPYC 7543 32-Core Processor",
        "AMD Ryzen 9 7950X 16-Core Processor",
        "Intel Xeon Gold 6338",
        "AMD EPYC 9554 64-Core Processor",
        "Intel Core i9-13900K"
    };

    /** A host machine: static facts from the catalog, a drifting price and free slices. */
    static final class Machine {
        final GpuCatalog.OfferSeed seed;
        final String gpuName;
        final long hostId;
        final int computeCap;
        final String cpuName;
        final String geolocation;
        final double storageCost;
        final double inetUp;
        final double inetDown;
        final long endDate;
        final int directPorts;
        double dphBase;
        int free;
        long askId;
        /** Rented by another (simulated) customer: hidden until it comes back. */
        boolean takenByOthers;

        Machine(GpuCatalog.OfferSeed seed, long askId, long nowEpochSeconds) {
            this.seed = seed;
            this.gpuName = vastName(seed.model().name());
            this.hostId = 100_000 + seed.machineId() % 50_000;
            this.computeCap = COMPUTE_CAP.getOrDefault(seed.model().name(), 860);
            this.cpuName = CPUS[(int) (seed.machineId() % CPUS.length)];
            String region = REGIONS.getOrDefault(seed.location(), seed.location());
            this.geolocation = region + ", " + seed.country();
            this.storageCost = 0.10 + (seed.machineId() % 11) / 100.0;
            this.inetUp = 500 + seed.machineId() % 4500;
            this.inetDown = 800 + seed.machineId() % 8000;
            this.endDate = nowEpochSeconds + 86_400L * (14 + seed.machineId() % 150);
            this.directPorts = 20 + (int) (seed.machineId() % 80);
            this.dphBase = seed.pricePerHour();
            this.free = seed.capacity();
            this.askId = askId;
        }

        double storagePerHour(double gb) {
            return storageCost * gb / HOURS_PER_MONTH;
        }

        double dphTotal(double gb) {
            return GpuCatalog.round(dphBase + storagePerHour(gb), 6);
        }
    }

    /** One row of the published snapshot: the ask as it looked at refresh time. */
    record Ask(Machine m, long id, double dphBase, int free, long nowEpochSeconds) {

        double dphTotal(double gb) {
            return GpuCatalog.round(dphBase + m.storagePerHour(gb), 6);
        }

        /** Field accessor used by filters, ordering and the JSON view. */
        Object field(String name, double storageGb) {
            GpuCatalog.OfferSeed s = m.seed;
            return switch (name) {
                case "id", "ask_contract_id" -> id;
                case "bundle_id" -> id + 1_000_000_000L;
                case "machine_id" -> s.machineId();
                case "host_id" -> m.hostId;
                case "gpu_name" -> m.gpuName;
                case "num_gpus" -> s.gpuCount();
                case "gpu_ram" -> s.model().vramMib();
                case "gpu_total_ram" -> s.model().vramMib() * s.gpuCount();
                case "gpu_frac" -> GpuCatalog.round(1.0 / s.capacity(), 4);
                case "gpu_arch" -> "nvidia";
                case "compute_cap" -> m.computeCap;
                case "cpu_cores", "cpu_cores_effective" -> s.vcpus();
                case "cpu_ram" -> s.ramGb() * 1024;
                case "cpu_name" -> m.cpuName;
                case "cpu_arch" -> "amd64";
                case "disk_space" -> s.diskGb();
                case "dph_base" -> dphBase;
                case "dph_total" -> dphTotal(storageGb);
                case "storage_cost" -> m.storageCost;
                case "inet_up_cost", "inet_down_cost" -> 0.005;
                case "min_bid" -> GpuCatalog.round(dphBase * 0.55, 4);
                case "reliability2", "reliability" -> s.reliability();
                case "verified" -> s.reliability() >= 0.9;
                case "verification" -> s.reliability() >= 0.9 ? "verified" : "unverified";
                case "rentable" -> true;
                case "rented" -> false;
                case "external" -> false;
                case "cuda_max_good", "cuda_vers" -> s.cudaMaxGood();
                case "driver_version" -> s.driverVersion();
                case "geolocation" -> m.geolocation;
                case "public_ipaddr" -> "127.0.0.1";
                case "static_ip" -> s.machineId() % 3 != 0;
                case "direct_port_count" -> m.directPorts;
                case "inet_up" -> m.inetUp;
                case "inet_down" -> m.inetDown;
                case "duration" -> (double) Math.max(0, m.endDate - nowEpochSeconds);
                case "end_date" -> m.endDate;
                case "score" -> GpuCatalog.round(s.reliability() * 100 / Math.max(0.05, dphBase), 3);
                case "is_bid" -> false;
                case "hosting_type" -> s.reliability() >= 0.97 ? 1 : 0;
                case "os_version" -> "22.04";
                default -> VastQuery.UNKNOWN;
            };
        }
    }

    /** Fields of the offer object, in the order they are rendered. */
    static final List<String> FIELDS = List.of(
            "id",
            "ask_contract_id",
            "bundle_id",
            "machine_id",
            "host_id",
            "gpu_name",
            "num_gpus",
            "gpu_ram",
            "gpu_total_ram",
            "gpu_frac",
            "gpu_arch",
            "compute_cap",
            "cpu_cores",
            "cpu_cores_effective",
            "cpu_ram",
            "cpu_name",
            "cpu_arch",
            "disk_space",
            "dph_base",
            "dph_total",
            "storage_cost",
            "inet_up_cost",
            "inet_down_cost",
            "min_bid",
            "reliability2",
            "reliability",
            "verified",
            "verification",
            "rentable",
            "rented",
            "external",
            "cuda_max_good",
            "driver_version",
            "geolocation",
            "public_ipaddr",
            "static_ip",
            "direct_port_count",
            "inet_up",
            "inet_down",
            "duration",
            "end_date",
            "score",
            "is_bid",
            "hosting_type",
            "os_version");

    private final List<Machine> machines = new ArrayList<>();
    private final Map<Long, Machine> byAsk = new HashMap<>();
    private List<Ask> snapshot = List.of();
    private long nextAsk;
    private final Random random;

    VastOffers(long seed, int size, long firstAskId, long nowEpochSeconds) {
        this.random = new Random(seed ^ 0x5EEDL);
        this.nextAsk = firstAskId;
        for (GpuCatalog.OfferSeed s : GpuCatalog.generate(seed, size)) {
            Machine m = new Machine(s, nextAsk++, nowEpochSeconds);
            machines.add(m);
            byAsk.put(m.askId, m);
        }
    }

    static String vastName(String catalogName) {
        return VAST_NAMES.getOrDefault(catalogName, catalogName);
    }

    List<Machine> machines() {
        return machines;
    }

    List<Ask> snapshot() {
        return snapshot;
    }

    /** Publishes the current market: what searches show until the next refresh. */
    void refresh(long nowEpochSeconds) {
        List<Ask> out = new ArrayList<>(machines.size());
        for (Machine m : machines) {
            if (m.free > 0 && !m.takenByOthers) {
                out.add(new Ask(m, m.askId, m.dphBase, m.free, nowEpochSeconds));
            }
        }
        snapshot = out;
    }

    /** The live machine behind an ask id if it can be rented now, else null (no_such_ask). */
    Machine rentable(long askId) {
        Machine m = byAsk.get(askId);
        if (m == null || m.askId != askId || m.free <= 0 || m.takenByOthers) {
            return null;
        }
        return m;
    }

    /** Takes one slice; the ask id is spent and the machine's remaining slices get a fresh one. */
    void rent(Machine m) {
        m.free--;
        newAsk(m);
    }

    /** Takes a slice without spending the ask (restart of a stopped instance). */
    boolean reserve(Machine m) {
        if (m.free <= 0 || m.takenByOthers) {
            return false;
        }
        m.free--;
        newAsk(m);
        return true;
    }

    void release(Machine m) {
        m.free = Math.min(m.seed.capacity(), m.free + 1);
    }

    /** Marks the machine behind an ask as rented by someone else (control API: "offer gone"). */
    boolean takeByOthers(long askId, boolean gone) {
        Machine m = byAsk.get(askId);
        if (m == null) {
            return false;
        }
        m.takenByOthers = gone;
        if (gone) {
            newAsk(m);
        }
        return true;
    }

    private void newAsk(Machine m) {
        m.askId = nextAsk++;
        byAsk.put(m.askId, m);
    }

    /** One step of the price random walk: each price moves by a normal step of {@code pct}, within 0.6..1.6x list. */
    void drift(double pct) {
        for (Machine m : machines) {
            double base = m.seed.pricePerHour();
            double next = m.dphBase * (1 + random.nextGaussian() * pct);
            m.dphBase = GpuCatalog.round(Math.max(base * 0.6, Math.min(base * 1.6, next)), 4);
        }
    }

    /** Other renters come and go: each machine flips with probability {@code rate}. */
    void churn(double rate) {
        if (rate <= 0) {
            return;
        }
        for (Machine m : machines) {
            if (random.nextDouble() < rate) {
                m.takenByOthers = !m.takenByOthers;
                if (m.takenByOthers) {
                    newAsk(m);
                }
            }
        }
    }

    /** What a search found: snapshot rows (immutable, safe to render off the event loop) and the disk size priced in. */
    record Found(List<Ask> rows, double storage) {

        List<Map<String, Object>> views() {
            List<Map<String, Object>> out = new ArrayList<>(rows.size());
            for (Ask a : rows) {
                out.add(view(a, storage));
            }
            return out;
        }
    }

    /** Runs a search over the snapshot. {@code query} is Vast's JSON query object. */
    Found search(JsonObject query, int defaultLimit, int maxLimit) {
        VastQuery.validate(query, CONTROL_KEYS);
        double storage = query.getValue("allocated_storage") instanceof Number n ? n.doubleValue() : 5.0;
        List<Ask> rows = new ArrayList<>();
        for (Ask a : snapshot) {
            if (VastQuery.matches(query, CONTROL_KEYS, f -> a.field(f, storage))) {
                rows.add(a);
            }
        }
        List<String[]> order = parseOrder(query.getValue("order"));
        if (!order.isEmpty()) {
            Function<Ask, Function<String, Object>> fields = a -> f -> a.field(f, storage);
            rows.sort(VastQuery.order(order, fields));
        }
        int limit = query.getValue("limit") instanceof Number n ? n.intValue() : defaultLimit;
        limit = Math.max(0, Math.min(limit, maxLimit));
        return new Found(List.copyOf(rows.subList(0, Math.min(limit, rows.size()))), storage);
    }

    static Map<String, Object> view(Ask a, double storage) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String f : FIELDS) {
            m.put(f, a.field(f, storage));
        }
        return m;
    }

    static List<String[]> parseOrder(Object order) {
        List<String[]> out = new ArrayList<>();
        if (order == null) {
            out.add(new String[] {"score", "desc"});
            return out;
        }
        if (!(order instanceof JsonArray arr)) {
            throw new IllegalArgumentException("order must be a list of [field, asc|desc]");
        }
        for (Object o : arr) {
            if (o instanceof JsonArray pair && !pair.isEmpty()) {
                out.add(new String[] {pair.getString(0), pair.size() > 1 ? pair.getString(1) : "asc"});
            } else if (o instanceof String s) {
                // "-dph_total" is accepted by the CLI's order syntax
                out.add(s.startsWith("-") ? new String[] {s.substring(1), "desc"} : new String[] {s, "asc"});
            } else {
                throw new IllegalArgumentException("order must be a list of [field, asc|desc]");
            }
        }
        return out;
    }
}
