package io.gpubroker.sim.rackrr;

import io.gpubroker.sim.core.SimInstance;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/** A Rackrr VM: the common instance plus the requested configuration and the GPUs it holds. */
final class RackrrVm extends SimInstance {
    final RackrrOffer offer;
    final int gpuCount;
    final int vcpus;
    final int ram;
    final int storage;
    final String sshPublicKey;
    Instant updatedAt;
    Instant terminatedAt;
    String ipAddress;
    Integer sshPort;
    /** GPUs taken from the offer's pool; returned on terminate (and on stop for shared kinds). */
    int heldGpus;
    /** Bumped on every transition so timers armed for an earlier state do nothing. */
    int epoch;
    /** Accrued cost already written to the wallet as debits. */
    BigDecimal debited = BigDecimal.ZERO;

    RackrrVm(
            String id,
            String name,
            String status,
            BigDecimal pricePerHour,
            Instant now,
            RackrrOffer offer,
            int gpuCount,
            int vcpus,
            int ram,
            int storage,
            String sshPublicKey) {
        super(id, name, status, pricePerHour, now, offer.gpuSpec(gpuCount));
        this.offer = offer;
        this.gpuCount = gpuCount;
        this.vcpus = vcpus;
        this.ram = ram;
        this.storage = storage;
        this.sshPublicKey = sshPublicKey;
        this.updatedAt = now;
    }

    @Override
    public Map<String, Object> controlView(Instant now) {
        Map<String, Object> m = super.controlView(now);
        m.put("provider_ref", offer.providerRef);
        m.put("vm_type", offer.kind().name().toLowerCase());
        m.put("held_gpus", heldGpus);
        return m;
    }
}
