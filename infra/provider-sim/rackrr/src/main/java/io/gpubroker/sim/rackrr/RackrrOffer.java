package io.gpubroker.sim.rackrr;

import io.gpubroker.sim.core.GpuCatalog;
import io.gpubroker.sim.core.GpuSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of {@code GET /vms/available}: an upstream provider's GPU configuration. Holds the
 * live state (price that drifts, GPUs still free) and the listed state (what the last snapshot
 * advertised), which may disagree — that is the stale-inventory behaviour.
 */
final class RackrrOffer {

    /** VM-type behaviour described by the offer's {@code notes}. */
    enum Kind {
        /** Own hardware: provision fails only when the pool is empty; no notes. */
        DEDICATED,
        /** Shared pool without queuing: provision/start fails when no GPU is free. */
        SHARED_NO_QUEUE,
        /** Shared pool with queuing: provision/start is accepted and waits in {@code scheduled}. */
        SCHEDULED
    }

    /** An upstream cloud Rackrr aggregates. */
    record Upstream(String id, String name, Kind kind) {}

    final GpuCatalog.OfferSeed seed;
    final Upstream upstream;
    final String providerRef;
    final String gpuModel;
    final String gpuName;
    final boolean fixedSpec;
    final int gpuCount;
    final int vcpus;
    final int maxVcpus;
    final int ram;
    final int maxRam;
    final int storage;
    final int maxStorage;
    final int totalGpus;
    final double basePrice;

    double price;
    int freeGpus;

    double listedPrice;
    boolean listedAvailable;
    String listedJson;

    RackrrOffer(
            GpuCatalog.OfferSeed seed,
            Upstream upstream,
            String providerRef,
            String gpuModel,
            String gpuName,
            boolean fixedSpec) {
        this.seed = seed;
        this.upstream = upstream;
        this.providerRef = providerRef;
        this.gpuModel = gpuModel;
        this.gpuName = gpuName;
        this.fixedSpec = fixedSpec;
        this.gpuCount = seed.gpuCount();
        this.vcpus = even(seed.vcpus());
        this.ram = even(seed.ramGb());
        this.storage = seed.diskGb();
        this.maxVcpus = fixedSpec ? vcpus : vcpus * 2;
        this.maxRam = fixedSpec ? ram : ram * 2;
        this.maxStorage = fixedSpec ? storage : 2000;
        this.totalGpus = seed.gpuCount() * seed.capacity();
        this.basePrice = seed.pricePerHour();
        reset();
    }

    void reset() {
        price = basePrice;
        freeGpus = totalGpus;
        snapshot();
    }

    Kind kind() {
        return upstream.kind();
    }

    boolean hasRoomFor(int gpus) {
        return freeGpus >= gpus;
    }

    /** Copies the live state into what the listing advertises; marks the cached JSON stale if it changed. */
    void snapshot() {
        boolean available = hasRoomFor(gpuCount);
        if (listedJson == null || listedPrice != price || listedAvailable != available) {
            listedJson = null;
        }
        listedPrice = price;
        listedAvailable = available;
    }

    /** Scheduled offers stay listed when full because provisioning them is still accepted. */
    boolean listed() {
        return listedAvailable || kind() == Kind.SCHEDULED;
    }

    /** Price of a VM with {@code gpus} GPUs at the live price (GUESSED: linear in GPU count). */
    double priceFor(int gpus) {
        return GpuCatalog.round(price * gpus / gpuCount, 4);
    }

    GpuSpec gpuSpec(int gpus) {
        GpuSpec g = seed.gpuSpec();
        return new GpuSpec(g.name(), gpus, g.vramMib(), g.driverVersion(), g.cudaVersion());
    }

    /** The {@code notes} object (keys GUESSED), or null for dedicated offers, which carry none. */
    Map<String, Object> notes() {
        return switch (kind()) {
            case DEDICATED -> null;
            case SHARED_NO_QUEUE -> {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("type", "shared");
                n.put("queue", false);
                n.put(
                        "message",
                        "Shared resource without queuing: if no GPU is free when you provision or start"
                                + " the VM, the request fails and must be retried. Keep it running once started.");
                yield n;
            }
            case SCHEDULED -> {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("type", "scheduled");
                n.put("fixed_spec", fixedSpec);
                n.put(
                        "message",
                        "Shared resource from a distributed pool: if resources are not free the VM enters"
                                + " Scheduled state and starts automatically later."
                                + (fixedSpec
                                        ? " Fixed-spec bundle: GPU count, vCPU, RAM and storage cannot be customised."
                                        : ""));
                yield n;
            }
        };
    }

    private static int even(int v) {
        return v % 2 == 0 ? v : v + 1;
    }
}
