package io.gpubroker.sim.tensordock;

import io.gpubroker.sim.core.GpuSpec;
import io.gpubroker.sim.core.SimInstance;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A TensorDock VM: placement, resources, port forwards, and the keys its cloud-init will install. */
final class TdInstance extends SimInstance {

    /**
     * One requested port forward: the hostnode pool port it holds ({@code assignedExternal}, capacity
     * accounting) and the external port reported in {@code portForwards} ({@code external}: for
     * app ports a real free loopback port where {@code docker run -p internal:...} answers, so
     * TensorDock's "may assign another external port than requested" always happens here).
     */
    record Forward(int internalPort, int requestedExternal, int assignedExternal, int external) {}

    final Hostnode hostnode;
    final String image;
    final int gpuCount;
    final int vcpu;
    final int ramGb;
    final int storageGb;
    final boolean useDedicatedIp;
    final double rateHourly;
    final List<Forward> forwards = new ArrayList<>();
    /** Keys cloud-init writes to authorized_keys once it has run. */
    final List<String> pendingKeys = new ArrayList<>();

    boolean rootLogin;
    /** Share of the rate currently billed (1 running, storage share stopped, 0 gone). */
    double billedFraction;

    String ipAddress;
    /** GPUs, vCPUs and RAM held on the hostnode (released on delete and on StoppedDisassociated). */
    boolean computeHeld;
    /** Storage, ports and the dedicated IP, held until delete. */
    boolean storageHeld;
    /** Still returned by GET/list (false once deleted and past {@code deleting}). */
    boolean visible = true;
    /** Bumped by every state change; timers scheduled under an older epoch do nothing. */
    int epoch;

    TdInstance(
            String id,
            String name,
            String status,
            Hostnode hostnode,
            String image,
            int gpuCount,
            int vcpu,
            int ramGb,
            int storageGb,
            boolean useDedicatedIp,
            double rateHourly,
            Instant now) {
        super(
                id,
                name,
                status,
                BigDecimal.valueOf(rateHourly).setScale(6, RoundingMode.HALF_UP),
                now,
                gpuSpec(hostnode, gpuCount));
        this.hostnode = hostnode;
        this.image = image;
        this.gpuCount = gpuCount;
        this.vcpu = vcpu;
        this.ramGb = ramGb;
        this.storageGb = storageGb;
        this.useDedicatedIp = useDedicatedIp;
        this.rateHourly = rateHourly;
    }

    private static GpuSpec gpuSpec(Hostnode h, int count) {
        GpuSpec perOffer = h.seed.gpuSpec();
        return new GpuSpec(
                perOffer.name(),
                Math.max(count, 0),
                perOffer.vramMib(),
                perOffer.driverVersion(),
                perOffer.cudaVersion());
    }

    /** Share of the rate that is storage: what a stopped VM keeps paying (GUESSED). */
    double storageFraction() {
        return rateHourly <= 0 ? 0 : storageGb * hostnode.perGbStorageHr / rateHourly;
    }

    @Override
    public Map<String, Object> controlView(Instant now) {
        Map<String, Object> m = super.controlView(now);
        m.put("hostnode_id", hostnode.id);
        m.put("location_id", hostnode.location.id());
        m.put("v0Name", hostnode.gpuName.v0Name());
        m.put("visible", visible);
        return m;
    }
}
