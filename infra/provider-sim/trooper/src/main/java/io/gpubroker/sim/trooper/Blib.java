package io.gpubroker.sim.trooper;

import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.sim.core.GpuSpec;
import java.util.ArrayList;
import java.util.List;

/** One Trooper server configuration ("blib"): live price and remaining capacity (fitCount). */
final class Blib {

    private static final String[] SIZES = {"", "Single", "Dual", "Triple", "Quad", "", "", "", "Octa"};
    private static final List<String> EU = List.of("DE", "NL", "FI", "NO", "FR", "SE");

    final int id;
    final GpuCatalog.OfferSeed seed;
    final String name;
    final String countryCode;
    final boolean isPublic;
    final int maxCapacity;
    final List<String> hosts;
    double priceH;
    int capacity;

    Blib(int id, GpuCatalog.OfferSeed seed, boolean isPublic, int capacityOverride, double eurPerUsd) {
        this.id = id;
        this.seed = seed;
        this.isPublic = isPublic;
        String size = SIZES[Math.min(seed.gpuCount(), SIZES.length - 1)];
        this.name = seed.model().name() + " " + (size.isEmpty() ? seed.gpuCount() + "x" : size)
                + (isPublic ? "" : " Private");
        // Trooper runs EU datacenters only; catalog locations elsewhere are folded into Germany.
        this.countryCode = EU.contains(seed.country()) ? seed.country() : "DE";
        this.maxCapacity = capacityOverride > 0 ? capacityOverride : seed.capacity();
        this.capacity = maxCapacity;
        this.priceH = Math.max(0.05, GpuCatalog.round(seed.pricePerHour() * eurPerUsd, 2));
        this.hosts = new ArrayList<>();
        int first = (int) (seed.machineId() % 90) + 10;
        for (int i = 0; i < Math.min(3, maxCapacity); i++) {
            hosts.add("ai" + (first + i * 7));
        }
    }

    String gpuType() {
        return seed.model().name();
    }

    int gpuNum() {
        return seed.gpuCount();
    }

    GpuSpec gpuSpec() {
        return seed.gpuSpec();
    }

    /** Hosts that can take one more server now (one per remaining slot, at most the host list). */
    List<String> availableHosts(int fit) {
        return hosts.subList(0, Math.min(fit, hosts.size()));
    }

    TrooperJson.BlibView view(boolean withAvailability) {
        if (!withAvailability) {
            return new TrooperJson.BlibView(
                    id,
                    name,
                    gpuType(),
                    gpuNum(),
                    seed.model().vramGb(),
                    seed.vcpus(),
                    seed.ramGb(),
                    seed.diskGb(),
                    priceH,
                    isPublic ? 1 : 0,
                    countryCode,
                    null,
                    null,
                    null,
                    null);
        }
        return new TrooperJson.BlibView(
                id,
                name,
                gpuType(),
                gpuNum(),
                seed.model().vramGb(),
                seed.vcpus(),
                seed.ramGb(),
                seed.diskGb(),
                priceH,
                isPublic ? 1 : 0,
                countryCode,
                capacity > 0,
                List.copyOf(availableHosts(capacity)),
                capacity,
                maxCapacity);
    }
}
