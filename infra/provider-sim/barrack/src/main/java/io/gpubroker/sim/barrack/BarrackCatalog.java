package io.gpubroker.sim.barrack;

import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.sim.core.GpuSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Barrack's sellable inventory: fixed GPU models per tier and region, stock per
 * (region, model, count) built from the shared deterministic {@link GpuCatalog} seeds, list prices
 * that drift, and the periodically refreshed stock snapshot the API advertises. Mutated only on the
 * simulator's event loop.
 */
final class BarrackCatalog {

    /** A Barrack GPU model: tier, flavor per GPU (vCPU/RAM are not chosen) and what nvidia-smi shows. */
    record Model(
            String name,
            String tier,
            double listPrice,
            int maxCount,
            int vcpusPerGpu,
            int ramGbPerGpu,
            String nvidiaName,
            int vramMib,
            String driver,
            String cuda) {

        GpuSpec gpuSpec(int count) {
            return new GpuSpec(nvidiaName, count, vramMib, driver, cuda);
        }
    }

    /** A region and the tier that sells in it. */
    record Region(String name, String tier, String location, String country) {}

    static final List<Model> MODELS = List.of(
            new Model("RTX-A6000", "legacy", 0.59, 4, 7, 58, "RTX A6000", 49140, "550.127.05", "12.4"),
            new Model("A40", "legacy", 0.50, 8, 7, 58, "A40", 46068, "535.183.01", "12.2"),
            new Model("L40", "legacy", 1.19, 8, 7, 58, "L40", 46068, "560.35.03", "12.6"),
            new Model("A100-PCIe-80GB", "legacy", 1.49, 8, 7, 120, "A100 80GB PCIe", 81920, "550.127.05", "12.4"),
            new Model(
                    "A100-SXM4-80GB-NVLink", "legacy", 1.60, 8, 30, 120, "A100-SXM4-80GB", 81920, "550.127.05", "12.4"),
            new Model("H100-PCIe-80GB", "legacy", 1.99, 8, 7, 180, "H100 PCIe", 81559, "560.35.03", "12.6"),
            new Model("H100-PCIe-NVLink-80GB", "legacy", 2.29, 8, 7, 180, "H100 PCIe", 81559, "560.35.03", "12.6"),
            new Model("H100-SXM5-80GB", "advanced", 2.69, 8, 44, 185, "H100 80GB HBM3", 81559, "570.124.06", "12.8"),
            new Model("H200-141GB", "advanced", 3.49, 8, 44, 225, "H200", 143771, "570.124.06", "12.8"),
            new Model("B200-180GB", "advanced", 4.69, 8, 30, 230, "B200", 183359, "575.57.08", "12.9"),
            new Model("B300-262GB", "advanced", 5.89, 8, 30, 270, "B300", 268435, "580.65.06", "13.0"));

    static final List<Region> REGIONS = List.of(
            new Region("CANADA-1", "legacy", "Canada", "CA"),
            new Region("FINLAND-1", "advanced", "Finland", "FI"),
            new Region("FINLAND-2", "advanced", "Finland", "FI"),
            new Region("FINLAND-3", "advanced", "Finland", "FI"));

    static final int[] COUNTS = {1, 2, 4, 8};

    /** Live stock: VMs of a configuration that can still be deployed, keyed by {@link #key}. */
    private final Map<String, Integer> live = new LinkedHashMap<>();
    /** What {@code /gpu-stocks/} advertises: a copy of {@link #live} taken at the last refresh. */
    private Map<String, Integer> snapshot = Map.of();

    private final Map<String, Integer> initial = new LinkedHashMap<>();
    private final Map<String, Double> prices = new HashMap<>();
    private final Random random;

    BarrackCatalog(long seed, int offers, Random random) {
        this.random = random;
        for (GpuCatalog.OfferSeed s : GpuCatalog.generate(seed, offers)) {
            Model m = barrackModel(s);
            int count = Math.min(s.gpuCount(), m.maxCount());
            String region = m.tier().equals("legacy") ? "CANADA-1" : "FINLAND-" + (1 + s.index() % 3);
            initial.merge(key(region, m.name(), count), s.capacity(), Integer::sum);
        }
        reset();
    }

    void reset() {
        live.clear();
        live.putAll(initial);
        prices.clear();
        MODELS.forEach(m -> prices.put(m.name(), m.listPrice()));
        refreshSnapshot();
    }

    static String key(String region, String model, int count) {
        return region + "|" + model + "|" + count;
    }

    static Model model(String name) {
        return MODELS.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }

    static Region region(String name) {
        return REGIONS.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** Maps a market-wide GPU seed onto the nearest model Barrack sells (deterministic by index). */
    static Model barrackModel(GpuCatalog.OfferSeed s) {
        int i = s.index();
        String name = switch (s.model().name()) {
            case "RTX 6000 Ada", "L40S" -> "L40";
            case "A40" -> "A40";
            case "A100 40GB" -> "A100-PCIe-80GB";
            case "A100 80GB" -> i % 2 == 0 ? "A100-PCIe-80GB" : "A100-SXM4-80GB-NVLink";
            case "H100 80GB" ->
                switch (i % 4) {
                    case 0 -> "H100-PCIe-80GB";
                    case 1 -> "H100-PCIe-NVLink-80GB";
                    default -> "H100-SXM5-80GB";
                };
            case "H200" ->
                switch (i % 4) {
                    case 0, 1 -> "H200-141GB";
                    case 2 -> "B200-180GB";
                    default -> "B300-262GB";
                };
            default -> "RTX-A6000";
        };
        return model(name);
    }

    int liveStock(String key) {
        return live.getOrDefault(key, 0);
    }

    void setLiveStock(String key, int available) {
        live.put(key, Math.max(0, available));
    }

    boolean take(String key) {
        int n = liveStock(key);
        if (n <= 0) {
            return false;
        }
        live.put(key, n - 1);
        return true;
    }

    void give(String key) {
        live.merge(key, 1, Integer::sum);
    }

    void refreshSnapshot() {
        snapshot = new LinkedHashMap<>(live);
    }

    Map<String, Integer> snapshot() {
        return snapshot;
    }

    Map<String, Integer> live() {
        return live;
    }

    double price(String model) {
        return prices.get(model);
    }

    void setPrice(String model, double usd) {
        prices.put(model, GpuCatalog.round(usd, 4));
    }

    /** One random-walk step of every list price, at most {@code pct} each way, kept near list. */
    void drift(double pct) {
        for (Model m : MODELS) {
            double p = prices.get(m.name()) * (1 + (random.nextDouble() * 2 - 1) * pct);
            p = Math.max(m.listPrice() * 0.5, Math.min(m.listPrice() * 1.5, p));
            prices.put(m.name(), GpuCatalog.round(p, 4));
        }
    }

    /** Stock grouped the way {@code /gpu-stocks/} reports it, from the snapshot, filtered. */
    List<Map<String, Object>> stocks(String regionFilter, String modelFilter, String tierFilter, Integer countFilter) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Region r : REGIONS) {
            if (regionFilter != null && !r.name().equalsIgnoreCase(regionFilter)
                    || tierFilter != null && !r.tier().equalsIgnoreCase(tierFilter)) {
                continue;
            }
            List<Map<String, Object>> models = new ArrayList<>();
            for (Model m : MODELS) {
                if (!m.tier().equals(r.tier())
                        || modelFilter != null && !m.name().equalsIgnoreCase(modelFilter)) {
                    continue;
                }
                Map<String, Object> configurations = new LinkedHashMap<>();
                int gpus = 0;
                for (int c : COUNTS) {
                    if (c > m.maxCount() || countFilter != null && c != countFilter) {
                        continue;
                    }
                    int n = snapshot.getOrDefault(key(r.name(), m.name(), c), 0);
                    configurations.put(c + "x", n);
                    gpus += n * c;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("model", m.name());
                entry.put("available", String.valueOf(gpus));
                entry.put("configurations", configurations);
                models.add(entry);
            }
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("region", r.name());
            region.put("stock-type", "GPU");
            region.put("models", models);
            out.add(region);
        }
        return out;
    }
}
