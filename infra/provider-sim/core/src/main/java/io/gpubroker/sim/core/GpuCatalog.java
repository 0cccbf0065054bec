package io.gpubroker.sim.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic offer material shared by all simulators: realistic GPU models, counts, prices,
 * locations and host properties, generated from a seed so tests and benchmarks repeat exactly.
 * Each simulator turns these seeds into its own native offer shape.
 */
public final class GpuCatalog {

    /** A GPU model as the market sells it. {@code vramMib} is what nvidia-smi reports. */
    public record Model(
            String name,
            int vramGb,
            int vramMib,
            double basePricePerGpuHour,
            String driver,
            String cuda,
            double weight) {}

    /** One sellable configuration: model x count at a location, with host facts. */
    public record OfferSeed(
            int index,
            Model model,
            int gpuCount,
            String location,
            String country,
            double pricePerHour,
            double reliability,
            int vcpus,
            int ramGb,
            int diskGb,
            double cudaMaxGood,
            String driverVersion,
            long machineId,
            int capacity) {

        public GpuSpec gpuSpec() {
            return new GpuSpec(
                    model.name(), gpuCount, model.vramMib(), driverVersion, String.format("%.1f", cudaMaxGood));
        }
    }

    public static final List<Model> MODELS = List.of(
            new Model("RTX 3090", 24, 24576, 0.22, "550.127.05", "12.4", 8),
            new Model("RTX 4090", 24, 24564, 0.40, "560.35.03", "12.6", 14),
            new Model("RTX 5090", 32, 32607, 0.75, "575.57.08", "12.9", 5),
            new Model("RTX A6000", 48, 49140, 0.55, "550.127.05", "12.4", 5),
            new Model("RTX 6000 Ada", 48, 49140, 0.85, "560.35.03", "12.6", 4),
            new Model("L4", 24, 23034, 0.35, "550.127.05", "12.4", 4),
            new Model("A10", 24, 23028, 0.45, "535.183.01", "12.2", 3),
            new Model("L40S", 48, 46068, 0.95, "560.35.03", "12.6", 5),
            new Model("A40", 48, 46068, 0.60, "535.183.01", "12.2", 3),
            new Model("A100 40GB", 40, 40960, 1.10, "550.127.05", "12.4", 3),
            new Model("A100 80GB", 80, 81920, 1.50, "550.127.05", "12.4", 6),
            new Model("H100 80GB", 80, 81559, 2.40, "560.35.03", "12.6", 6),
            new Model("H200", 141, 143771, 3.50, "570.124.06", "12.8", 2),
            new Model("V100 32GB", 32, 32768, 0.30, "535.183.01", "12.2", 2));

    /** Location display name and ISO country code. */
    public static final List<String[]> LOCATIONS = List.of(
            new String[] {"US-West", "US"},
            new String[] {"US-East", "US"},
            new String[] {"US-Central", "US"},
            new String[] {"Canada", "CA"},
            new String[] {"Germany", "DE"},
            new String[] {"Netherlands", "NL"},
            new String[] {"Finland", "FI"},
            new String[] {"Norway", "NO"},
            new String[] {"France", "FR"},
            new String[] {"Japan", "JP"},
            new String[] {"Singapore", "SG"},
            new String[] {"Sweden", "SE"});

    private static final int[] COUNTS = {1, 1, 1, 1, 2, 2, 4, 8};

    private GpuCatalog() {}

    public static Model model(String name) {
        return MODELS.stream()
                .filter(m -> m.name().equalsIgnoreCase(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown GPU model " + name));
    }

    /** {@code size} offer seeds from {@code seed}; the same arguments always give the same list. */
    public static List<OfferSeed> generate(long seed, int size) {
        Random rnd = new Random(seed);
        double totalWeight = MODELS.stream().mapToDouble(Model::weight).sum();
        List<OfferSeed> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Model m = pick(rnd, totalWeight);
            int count = COUNTS[rnd.nextInt(COUNTS.length)];
            String[] loc = LOCATIONS.get(rnd.nextInt(LOCATIONS.size()));
            double price = round(m.basePricePerGpuHour() * count * (0.8 + rnd.nextDouble() * 0.5), 3);
            double reliability = round(0.85 + rnd.nextDouble() * 0.149, 4);
            int vcpus = 4 * count * (1 + rnd.nextInt(4));
            int ram = Math.max(16, m.vramGb() * count * (1 + rnd.nextInt(2)));
            int disk = 100 + 50 * rnd.nextInt(20);
            double cuda = Double.parseDouble(m.cuda()) + (rnd.nextInt(4) == 0 ? 0.1 : 0.0);
            long machineId = 10_000 + rnd.nextInt(90_000);
            int capacity = 1 + rnd.nextInt(3);
            out.add(new OfferSeed(
                    i,
                    m,
                    count,
                    loc[0],
                    loc[1],
                    price,
                    reliability,
                    vcpus,
                    ram,
                    disk,
                    round(cuda, 1),
                    m.driver(),
                    machineId,
                    capacity));
        }
        return out;
    }

    private static Model pick(Random rnd, double totalWeight) {
        double r = rnd.nextDouble() * totalWeight;
        for (Model m : MODELS) {
            r -= m.weight();
            if (r <= 0) {
                return m;
            }
        }
        return MODELS.get(MODELS.size() - 1);
    }

    public static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
