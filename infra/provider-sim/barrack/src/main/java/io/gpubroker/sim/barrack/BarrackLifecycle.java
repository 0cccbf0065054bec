package io.gpubroker.sim.barrack;

import java.time.Duration;

/** The VM state machine: timed transitions that a later action voids, going ACTIVE with SSH, public IP attach, capacity release. */
final class BarrackLifecycle {

    private final BarrackSim sim;

    BarrackLifecycle(BarrackSim sim) {
        this.sim = sim;
    }

    /** Runs {@code step} after {@code d} unless the VM moved on (another transition, delete, reset). */
    void later(BarrackInstance inst, Duration d, Runnable step) {
        int epoch = inst.epoch;
        sim.after(d, () -> {
            if (sim.vms.get(inst.id) == inst && inst.epoch == epoch && !inst.gone) {
                step.run();
            }
        });
    }

    void becomeActive(BarrackInstance inst) {
        inst.state = "ACTIVE";
        inst.charge(sim.now(), 1.0);
        int epoch = inst.epoch;
        sim.openSsh(inst, sim.config().get("barrack.ssh-user", "ubuntu"), host -> {
            if (inst.epoch == epoch && "ACTIVE".equals(inst.state)) {
                attachIp(inst, sim.timing("ip-attach", Duration.ofSeconds(5)));
            }
        });
        String also = sim.config().get("barrack.ssh-also-user", "");
        if (!also.isBlank()) {
            inst.ssh.alsoUser(also);
        }
        inst.keys.forEach(inst.ssh::authorize);
        if ("dies".equals(inst.fault)) {
            later(inst, sim.timing("dies-after", Duration.ofSeconds(10)), () -> sim.applyStateFault(inst, "dies"));
        }
    }

    void attachIp(BarrackInstance inst, Duration delay) {
        if (!inst.publicIp || inst.ipAddress != null) {
            return;
        }
        inst.ipStatus = "pending";
        later(inst, delay, () -> {
            if (inst.publicIp) {
                inst.ipStatus = sim.config().get("barrack.ip-status-attached", "attached");
                inst.ipAddress = "127.0.0.1";
            }
        });
    }

    /** Leaves the current state: later timers for it are void and SSH goes down. */
    void interrupt(BarrackInstance inst, String newState) {
        inst.epoch++;
        inst.state = newState;
        sim.closeSsh(inst);
    }

    void releaseCapacity(BarrackInstance inst) {
        if (inst.holdsCapacity) {
            inst.holdsCapacity = false;
            sim.catalog.give(inst.stockKey());
        }
    }
}
