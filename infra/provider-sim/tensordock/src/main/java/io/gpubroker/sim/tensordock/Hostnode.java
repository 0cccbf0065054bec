package io.gpubroker.sim.tensordock;

import io.gpubroker.sim.core.GpuCatalog;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One hostnode's live (true) capacity and prices. The API never shows this directly: it shows
 * the last {@link Catalog.Snapshot}, which is why creates can fail on advertised capacity.
 * Mutated only on the simulator's event loop.
 */
final class Hostnode {
    static final int FIRST_PORT = 20000;

    final String id;
    final int index;
    final Location location;
    final GpuCatalog.OfferSeed seed;
    final GpuNames.Name gpuName;
    final int gpuTotal;
    final int vcpuTotal;
    final int ramTotal;
    final int storageTotal;
    final int portCount;
    final int dedicatedIpTotal;
    final double basePricePerGpu;
    final double uptimePercentage;

    int gpuFree;
    int vcpuFree;
    int ramFree;
    int storageFree;
    int dedicatedIpFree;
    double pricePerGpu;
    double perVcpuHr;
    double perGbRamHr;
    double perGbStorageHr;
    /** GPUs taken by "other customers" through the control API (mark gone). */
    int gpuWithheld;

    private final BitSet portsUsed = new BitSet();

    Hostnode(String id, GpuCatalog.OfferSeed seed, Location location, java.util.Random rnd) {
        this.id = id;
        this.index = seed.index();
        this.seed = seed;
        this.location = location;
        this.gpuName = GpuNames.of(seed.model());
        this.gpuTotal = Math.min(8, seed.gpuCount() * seed.capacity());
        int perGpuVcpu = Math.max(2, seed.vcpus() / seed.gpuCount());
        this.vcpuTotal = even(perGpuVcpu * gpuTotal + 8);
        this.ramTotal = Math.max(32, seed.ramGb() / seed.gpuCount() * gpuTotal + 16);
        this.storageTotal = Math.max(1000, seed.diskGb() * gpuTotal * 4);
        this.portCount = 20;
        this.dedicatedIpTotal = rnd.nextInt(4);
        this.basePricePerGpu = GpuCatalog.round(seed.pricePerHour() / seed.gpuCount(), 4);
        this.uptimePercentage = GpuCatalog.round(seed.reliability() * 100, 2);
        this.pricePerGpu = basePricePerGpu;
        this.perVcpuHr = GpuCatalog.round(0.002 + rnd.nextInt(3) * 0.0005, 4);
        this.perGbRamHr = GpuCatalog.round(0.001 + rnd.nextInt(3) * 0.0005, 4);
        this.perGbStorageHr = 0.00005;
        reset();
    }

    void reset() {
        gpuFree = gpuTotal;
        vcpuFree = vcpuTotal;
        ramFree = ramTotal;
        storageFree = storageTotal;
        dedicatedIpFree = dedicatedIpTotal;
        pricePerGpu = basePricePerGpu;
        gpuWithheld = 0;
        portsUsed.clear();
    }

    int gpuAvailable() {
        return Math.max(0, gpuFree - gpuWithheld);
    }

    boolean fits(int gpus, int vcpus, int ramGb, int storageGb) {
        return gpuAvailable() >= gpus && vcpuFree >= vcpus && ramFree >= ramGb && storageFree >= storageGb;
    }

    /** Price per hour of a configuration at today's rates. */
    double rate(int gpus, int vcpus, int ramGb, int storageGb) {
        return GpuCatalog.round(
                gpus * pricePerGpu + vcpus * perVcpuHr + ramGb * perGbRamHr + storageGb * perGbStorageHr, 6);
    }

    List<Integer> freePorts() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < portCount; i++) {
            if (!portsUsed.get(i)) {
                out.add(FIRST_PORT + i);
            }
        }
        return out;
    }

    /** Takes {@code wanted} if free, else the first free port (TensorDock may hand out another); -1 when full. */
    int takePort(int wanted) {
        int i = wanted - FIRST_PORT;
        if (i < 0 || i >= portCount || portsUsed.get(i)) {
            i = portsUsed.nextClearBit(0);
            if (i >= portCount) {
                return -1;
            }
        }
        portsUsed.set(i);
        return FIRST_PORT + i;
    }

    void releasePort(int port) {
        int i = port - FIRST_PORT;
        if (i >= 0 && i < portCount) {
            portsUsed.clear(i);
        }
    }

    private static int even(int n) {
        return n % 2 == 0 ? n : n + 1;
    }
}
